// Test helpers: run the built `pond` binary in a child process, in a temporary directory.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";

/** The built `pond` command. */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** What one run of the binary did. */
export interface PondRun {
  code: number | null;
  stdout: Buffer;
  /** stdout as UTF-8. */
  out: string;
  err: string;
  /** stdout parsed as JSON. */
  json<T = unknown>(): T;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Where stdout goes: a file descriptor to write to, instead of a pipe read into the result. */
  stdout?: number;
}

/** Starts `node dist/bin.js ...args` with stdout and stderr piped; $POND is unset unless `env` sets it. */
export function spawnPond(args: readonly string[], options: RunOptions): ChildProcess {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build first (pnpm --filter @pond/cli build)`);
  }
  const env: Record<string, string | undefined> = { ...process.env, POND: undefined };
  Object.assign(env, options.env);
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", options.stdout ?? "pipe", "pipe"],
  });
}

/** Runs `node dist/bin.js ...args` (see {@link spawnPond}) to its end. */
export function runPond(args: readonly string[], options: RunOptions): Promise<PondRun> {
  return new Promise((resolve, reject) => {
    const child = spawnPond(args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const stdout = Buffer.concat(out);
      const text = stdout.toString("utf8");
      resolve({
        code,
        stdout,
        out: text,
        err: Buffer.concat(err).toString("utf8"),
        json: <T>() => JSON.parse(text) as T,
      });
    });
  });
}

/** A fresh temporary directory per test, removed afterwards, with a pond path inside it. */
export interface Sandbox {
  /** The test's temporary directory: the cwd of every run. */
  dir: string;
  /** The pond's directory, `<dir>/pond`. */
  pondDir: string;
  /** Runs `pond --pond <pondDir> ...args` in `dir`. */
  pond(...args: string[]): Promise<PondRun>;
  /** Like {@link pond}, failing the test with stderr unless the exit status is 0. */
  ok(...args: string[]): Promise<PondRun>;
  /** Runs `pond ...args` without --pond. */
  run(args: readonly string[], env?: Record<string, string | undefined>): Promise<PondRun>;
  /** A path inside `dir`. */
  path(...parts: string[]): string;
}

/** Registers hooks giving each test of the file its own sandbox. */
export function useSandbox(): () => Sandbox {
  let current: Sandbox | undefined;
  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), "pond-cli-"));
    const pondDir = join(dir, "pond");
    const run = (args: readonly string[], env?: Record<string, string | undefined>) =>
      runPond(args, { cwd: dir, ...(env && { env }) });
    const pond = (...args: string[]) => run(["--pond", pondDir, ...args]);
    current = {
      dir,
      pondDir,
      pond,
      run,
      path: (...parts) => join(dir, ...parts),
      async ok(...args) {
        const result = await pond(...args);
        if (result.code !== 0) {
          throw new Error(`pond ${args.join(" ")} exited ${result.code}: ${result.err}`);
        }
        return result;
      },
    };
  });
  afterEach(async () => {
    if (current) await rm(current.dir, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("no sandbox outside a test");
    return current;
  };
}
