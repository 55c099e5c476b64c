// Runs of the built pond command, watched: each goes to a command host (a Node process running
// pond's main in-process, command-host.mjs), whose peak RSS is read from /proc as the command runs;
// the host is killed when it passes the memory bound or the hang guard, and a host that died
// (killed, a V8 heap exhaustion, an uncaught error) is replaced for the next command.

import { type ChildProcess, fork } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SECRET } from "./canary-tree.js";

const HOST = fileURLToPath(new URL("./command-host.mjs", import.meta.url));

/** The peak RSS any pond command may reach. */
export const RSS_LIMIT_BYTES = 512 * 1024 * 1024;
/** V8's heap cap for the hosts, below the RSS bound so that most runaways are V8's to stop. */
const HEAP_LIMIT_MB = 256;
/** Not a timing assertion: a command still running after this long is taken to hang. */
export const HANG_GUARD_MS = 60_000;
const POLL_MS = 20;
/** A host is replaced after this many commands, so that what they leave behind never adds up. */
const COMMANDS_PER_HOST = 100;
/**
 * A host holding more than this after a command is replaced too: V8 keeps the pages a large
 * command grew its heap into, and the next command's peak would count them as its own.
 */
const HOST_RSS_BYTES = 256 * 1024 * 1024;

export interface WatchedRun {
  /** The command line after `pond`, as shown in reports. */
  args: readonly string[];
  /** The exit status main returned, or the host's when it died. */
  code: number | null;
  /** The signal that ended the host while it ran the command. */
  signal: NodeJS.Signals | null;
  /** The first 32 MiB of stdout. */
  stdout: Buffer;
  stdoutBytes: number;
  /** What the command wrote to stderr, and what the host printed while it ran (a crash). */
  stderr: string;
  peakRssBytes: number;
  /** Why the watcher killed it, if it did. */
  killed?: "hang" | "memory";
  /** Whether the canary secret went by on stdout or stderr. */
  leaked: boolean;
}

interface Collected {
  kept: Uint8Array;
  bytes: number;
  leaked: boolean;
}

interface HostReply {
  code: number;
  stdout: Collected;
  stderr: Collected;
}

async function statusBytes(pid: number, field: "VmHWM" | "VmRSS"): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const match = status && new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** One host process, running one command at a time. */
export class CommandHost {
  private child: ChildProcess | undefined;
  private served = 0;

  /** Runs `pond ...args` in `cwd` ($POND and $POND_DEBUG unset) and watches it to its end. */
  async run(args: readonly string[], cwd: string): Promise<WatchedRun> {
    if (this.served >= COMMANDS_PER_HOST) this.close();
    const child = this.start();
    this.served++;
    const env = { ...process.env };
    delete env.POND;
    delete env.POND_DEBUG;
    const pid = child.pid as number;
    let printed = "";
    let peak = 0;
    let killed: WatchedRun["killed"];
    const kill = (why: NonNullable<WatchedRun["killed"]>) => {
      killed ??= why;
      child.kill("SIGKILL");
    };
    const poll = setInterval(async () => {
      peak = Math.max(peak, (await statusBytes(pid, "VmHWM")) ?? 0);
      if (peak > RSS_LIMIT_BYTES) kill("memory");
    }, POLL_MS);
    const guard = setTimeout(() => kill("hang"), HANG_GUARD_MS);
    const onPrinted = (chunk: Buffer) => {
      printed += chunk.toString("utf8");
    };
    child.stderr?.on("data", onPrinted);
    child.stdout?.on("data", onPrinted);
    const ended = await new Promise<
      HostReply | { code: number | null; signal: NodeJS.Signals | null }
    >((resolve) => {
      child.on("message", (reply: HostReply | { finished: number }) => {
        if (!("finished" in reply)) return resolve(reply);
        // The command is done: what follows is the reply, the suite's own cost.
        clearInterval(poll);
        peak = reply.finished;
      });
      child.once("close", (code, signal) => resolve({ code, signal }));
      child.send({ args: [...args], cwd, env, secret: SECRET });
    });
    clearInterval(poll);
    clearTimeout(guard);
    child.stderr?.off("data", onPrinted);
    child.stdout?.off("data", onPrinted);
    child.removeAllListeners("message");
    child.removeAllListeners("close");
    if ("stdout" in ended) {
      if (((await statusBytes(pid, "VmRSS")) ?? 0) > HOST_RSS_BYTES) this.close();
      return {
        args,
        code: ended.code,
        signal: null,
        stdout: Buffer.from(ended.stdout.kept),
        stdoutBytes: ended.stdout.bytes,
        stderr: Buffer.from(ended.stderr.kept).toString("utf8") + printed,
        peakRssBytes: peak,
        leaked: ended.stdout.leaked || ended.stderr.leaked,
      };
    }
    this.child = undefined;
    return {
      args,
      code: ended.code,
      signal: ended.signal,
      stdout: Buffer.alloc(0),
      stdoutBytes: 0,
      stderr: printed,
      peakRssBytes: peak,
      ...(killed && { killed }),
      leaked: printed.includes(SECRET),
    };
  }

  /** Ends the host process, if there is one. */
  close(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
    this.served = 0;
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    this.child = fork(HOST, [], {
      execArgv: [`--max-old-space-size=${HEAP_LIMIT_MB}`, "--expose-gc"],
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    return this.child;
  }
}
