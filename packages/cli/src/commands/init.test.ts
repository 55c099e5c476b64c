// pond init through the built binary: a new pond, and the places it refuses.

import { mkdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

describe("pond init", () => {
  it("creates an empty pond at version 0", async () => {
    const s = sandbox();
    const { out } = await s.ok("init");
    expect(out).toBe(`created an empty pond in ${s.pondDir}\n`);
    const log = (await s.ok("log", "--json")).json<Array<{ version: number }>>();
    expect(log.map((c) => c.version)).toEqual([0]);
    expect((await s.ok("ls")).out).toBe("");
  });

  it("--json reports where and which version", async () => {
    const s = sandbox();
    expect((await s.ok("init", "--json")).json()).toEqual({ pond: s.pondDir, version: 0 });
  });

  it("fails with EEXIST on an existing pond", async () => {
    const s = sandbox();
    await s.ok("init");
    const { code, err } = await s.pond("init");
    expect(code).toBe(1);
    expect(err).toBe(`pond: EEXIST: ${s.pondDir}: a pond already exists here\n`);
  });

  it("fails with EEXIST in a non-empty directory that is not a pond", async () => {
    const s = sandbox();
    await mkdir(s.pondDir);
    await writeFile(s.path("pond", "notes.txt"), "mine");
    const { code, err } = await s.pond("init");
    expect(code).toBe(1);
    expect(err).toBe(`pond: EEXIST: ${s.pondDir}: directory is not empty and holds no pond\n`);
  });

  it("fails with ENOTDIR on a file", async () => {
    const s = sandbox();
    await writeFile(s.pondDir, "a file");
    const { code, err } = await s.pond("init");
    expect(code).toBe(1);
    expect(err).toBe(`pond: ENOTDIR: ${s.pondDir}: not a directory\n`);
  });
});
