// One run of the built pond command as a child process, watched: its peak RSS is read from /proc
// as it runs, and it is killed when it passes the memory bound or the hang guard.

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SECRET } from "./canary-tree.js";

const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** The peak RSS any pond command may reach. */
export const RSS_LIMIT_BYTES = 512 * 1024 * 1024;
/** V8's heap cap for the children, below the RSS bound so that most runaways are V8's to stop. */
const HEAP_LIMIT_MB = 256;
/** Not a timing assertion: a command still running after this long is taken to hang. */
export const HANG_GUARD_MS = 60_000;
const POLL_MS = 20;
/** Output kept for the checks and messages; beyond it, output is only counted and searched. */
const KEPT_BYTES = 32 * 1024 * 1024;

export interface WatchedRun {
  /** The command line after `pond`, as shown in reports. */
  args: readonly string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The first {@link KEPT_BYTES} of stdout. */
  stdout: Buffer;
  stdoutBytes: number;
  stderr: string;
  peakRssBytes: number;
  /** Why the watcher killed it, if it did. */
  killed?: "hang" | "memory";
  /** Whether the canary secret went by on stdout or stderr. */
  leaked: boolean;
}

/** Keeps the start of a stream, counts it, and looks for the secret across chunk boundaries. */
class Collector {
  private readonly chunks: Buffer[] = [];
  private tail = "";
  bytes = 0;
  leaked = false;

  add(chunk: Buffer): void {
    if (this.bytes < KEPT_BYTES) this.chunks.push(chunk.subarray(0, KEPT_BYTES - this.bytes));
    this.bytes += chunk.length;
    const text = this.tail + chunk.toString("latin1");
    if (text.includes(SECRET)) this.leaked = true;
    this.tail = text.slice(-SECRET.length);
  }

  kept(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function highWaterMark(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const match = status && /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Runs `node --max-old-space-size=… dist/bin.js ...args` in `cwd`. */
export function watchedRun(args: readonly string[], cwd: string): Promise<WatchedRun> {
  const env = { ...process.env };
  delete env.POND;
  delete env.POND_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, BIN, ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout = new Collector();
    const stderr = new Collector();
    let peak = 0;
    let killed: WatchedRun["killed"];
    const kill = (why: NonNullable<WatchedRun["killed"]>) => {
      killed ??= why;
      child.kill("SIGKILL");
    };
    const poll = setInterval(async () => {
      if (child.pid === undefined) return;
      const rss = await highWaterMark(child.pid);
      if (rss === undefined) return;
      peak = Math.max(peak, rss);
      if (peak > RSS_LIMIT_BYTES) kill("memory");
    }, POLL_MS);
    const guard = setTimeout(() => kill("hang"), HANG_GUARD_MS);
    child.stdout.on("data", (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({
        args,
        code,
        signal,
        stdout: stdout.kept(),
        stdoutBytes: stdout.bytes,
        stderr: stderr.kept().toString("utf8"),
        peakRssBytes: peak,
        ...(killed && { killed }),
        leaked: stdout.leaked || stderr.leaked,
      });
    });
  });
}
