// pond show through the built binary: each kind of change, found by diffing two versions.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

interface Shown {
  version: number;
  message: string;
  changes: Array<{ change: string; path: string; from?: string; type: string }>;
}

describe("pond show", () => {
  it("lists what each version added, modified, renamed and removed", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("a.txt"), "a\n");
    await s.ok("mkdir", "-p", "/d/sub"); // 1
    await s.ok("copy", "a.txt", "/d/sub/a.txt"); // 2
    await writeFile(s.path("a.txt"), "a2\n");
    await s.ok("copy", "a.txt", "/d/sub/a.txt"); // 3
    await s.ok("mv", "/d", "/e"); // 4
    await s.ok("mv", "/e/sub/a.txt", "/e/b.txt"); // 5
    await s.ok("rm", "-r", "/e"); // 6

    const changes = async (v: number) =>
      (await s.ok("show", "--json", String(v)))
        .json<Shown>()
        .changes.map((c) => [c.change, c.from ? `${c.from} -> ${c.path}` : c.path]);
    expect(await changes(0)).toEqual([]);
    expect(await changes(1)).toEqual([
      ["added", "/d"],
      ["added", "/d/sub"],
    ]);
    expect(await changes(2)).toEqual([["added", "/d/sub/a.txt"]]);
    expect(await changes(3)).toEqual([["modified", "/d/sub/a.txt"]]);
    expect(await changes(4)).toEqual([["renamed", "/d -> /e"]]);
    expect(await changes(5)).toEqual([["renamed", "/e/sub/a.txt -> /e/b.txt"]]);
    expect(await changes(6)).toEqual([
      ["removed", "/e"],
      ["removed", "/e/b.txt"],
      ["removed", "/e/sub"],
    ]);
  });

  it("shows the newest version by default, as a table", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("a.txt"), "abc\n");
    await s.ok("copy", "a.txt", "/a.txt");
    const lines = (await s.ok("show")).out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^version 1 {2}\S+ \S+ {2}pond --pond \S+ copy a\.txt \/a\.txt$/);
    expect(lines[1]).toMatch(/^\s+CHANGE\s+TYPE\s+PATH\s+DETAIL$/);
    expect(lines[2]).toMatch(/^\s+added\s+file:data\s+\/a\.txt\s+v1, 4 bytes$/);
  });

  it("shows version 0 as the creation", async () => {
    const s = sandbox();
    await s.ok("init");
    const shown = (await s.ok("show", "--json", "0")).json<Shown>();
    expect(shown).toMatchObject({ version: 0, message: "create pond", changes: [] });
  });

  it("fails with EINVAL for a version the pond does not have, exit 2 for a non-number", async () => {
    const s = sandbox();
    await s.ok("init");
    const missing = await s.pond("show", "7");
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("pond: EINVAL: no version 7 (the newest is 0)\n");
    expect((await s.pond("show", "seven")).code).toBe(2);
  });
});
