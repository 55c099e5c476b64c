// Ctrl-C and SIGTERM sent to a real pond process in the middle of export -r and copy -r: the
// temporaries go, the pond is unchanged, one line says so, and the process ends by the signal.

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Sandbox, spawnPond, useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

/** Enough streamed files that the work is still going when its first temporary shows. */
async function hostTree(s: Sandbox): Promise<string> {
  const dir = s.path("host");
  await mkdir(dir);
  for (let i = 0; i < 60; i++) {
    await writeFile(join(dir, `f${String(i).padStart(2, "0")}.bin`), randomBytes(2 * 1024 * 1024));
  }
  return dir;
}

/** Resolves once `found()` holds, checking every few milliseconds. */
async function until(found: () => boolean): Promise<void> {
  while (!found()) await new Promise((resolve) => setTimeout(resolve, 2));
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** How the child ended, and what it said on stderr. */
function ending(child: ChildProcess): Promise<{ signal: NodeJS.Signals | null; err: string }> {
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (_code, signal) => resolve({ signal, err })));
}

describe("an interrupted export -r", () => {
  it("removes what it wrote and ends by SIGINT", { timeout: 120_000 }, async () => {
    const s = sandbox();
    await s.ok("init");
    await hostTree(s);
    await s.ok("copy", "-r", "host", "/data");
    const out = s.path("out");
    const child = spawnPond(["--pond", s.pondDir, "export", "-r", "/data", "out"], { cwd: s.dir });
    const ended = ending(child);
    await until(() => names(out).some((name) => name.includes(".pond-")));
    child.kill("SIGINT");
    const { signal, err } = await ended;
    expect(err).toBe("pond: EINTR: interrupted by SIGINT: the files written so far were removed\n");
    expect(signal).toBe("SIGINT");
    expect(existsSync(out)).toBe(false);
  });
});

describe("an interrupted copy -r", () => {
  it("leaves the pond unchanged and no temporary behind, and ends by SIGTERM", {
    timeout: 120_000,
  }, async () => {
    const s = sandbox();
    await s.ok("init");
    await hostTree(s);
    const versions = (await s.ok("log", "--json")).json<unknown[]>().length;
    const largeFiles = join(s.pondDir, "_large_files");
    const child = spawnPond(["--pond", s.pondDir, "copy", "-r", "host", "/data"], { cwd: s.dir });
    const ended = ending(child);
    await until(() => names(largeFiles).length > 0);
    child.kill("SIGTERM");
    const { signal, err } = await ended;
    expect(err).toBe("pond: EINTR: interrupted by SIGTERM: the pond is unchanged\n");
    expect(signal).toBe("SIGTERM");
    expect((await s.ok("log", "--json")).json<unknown[]>()).toHaveLength(versions);
    expect((await s.ok("ls", "/")).out).toBe("");
    expect(names(largeFiles).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
