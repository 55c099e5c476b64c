// pond on a platform with no op-log binary: help and version work; a command that opens a pond
// fails with the loader's one-line ENOTSUP.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPond } from "./testing/run-pond.js";

// NODE_OPTIONS reaches the child only: a module run before pond's that changes the platform.
const pretend = `Object.defineProperty(process,"platform",{value:"freebsd"});Object.defineProperty(process,"arch",{value:"riscv64"});`;
const env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(pretend)}` };

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "pond-unsupported-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("on a platform without a native binary", () => {
  it.each([["--help"], ["--version"], ["help", "copy"], ["ls", "--help"]])(
    "pond %s works",
    async (...args) => {
      const run = await runPond(args, { cwd, env });
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
      expect(run.out).not.toBe("");
    },
  );

  it("a command that opens a pond fails with one line naming the platform", async () => {
    const run = await runPond(["init"], { cwd, env });
    expect(run.code).toBe(1);
    const lines = run.err.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pond: ENOTSUP: no prebuilt native binary for freebsd-riscv64/);
    expect(lines[0]).toContain("@pond/persistence-oplog-freebsd-riscv64");
  });
});
