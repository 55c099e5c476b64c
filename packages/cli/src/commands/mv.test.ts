// pond mv and pond ln -s through the built binary.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

async function tree(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("a.txt"), "a\n");
  await s.ok("mkdir", "/dir");
  await s.ok("copy", "a.txt", "/a.txt");
  await s.ok("copy", "a.txt", "/b.txt");
  return s;
}

async function nodeId(s: Sandbox, path: string): Promise<string> {
  return (await s.ok("stat", "--json", path)).json<{ nodeId: string }>().nodeId;
}

describe("pond mv", () => {
  it("renames, keeping the node and its history", async () => {
    const s = await tree();
    const id = await nodeId(s, "/a.txt");
    expect((await s.ok("mv", "/a.txt", "/c.txt")).out).toBe("version 4: moved /a.txt -> /c.txt\n");
    expect(await nodeId(s, "/c.txt")).toBe(id);
    expect((await s.ok("ls")).out).toBe("b.txt\nc.txt\ndir/\n");
  });

  it("moves into an existing directory, several sources at once", async () => {
    const s = await tree();
    await s.ok("mv", "/a.txt", "/b.txt", "/dir");
    expect((await s.ok("ls", "/dir")).out).toBe("a.txt\nb.txt\n");
  });

  it("fails with ENOENT for a missing source, and several sources need a directory", async () => {
    const s = await tree();
    const missing = await s.pond("mv", "/nope", "/x");
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("pond: ENOENT: /nope: no such file or directory\n");
    const several = await s.pond("mv", "/a.txt", "/b.txt", "/x");
    expect(several.code).toBe(1);
    expect(several.err).toMatch(/^pond: ENOENT: \/x: no such directory/);
    expect((await s.ok("ls")).out).toBe("a.txt\nb.txt\ndir/\n");
  });
});

describe("pond ln -s", () => {
  it("creates a symlink that reads follow", async () => {
    const s = await tree();
    expect((await s.ok("ln", "-s", "a.txt", "/link")).out).toBe(
      "version 4: linked /link -> a.txt\n",
    );
    expect((await s.ok("cat", "/link")).out).toBe("a\n");
    expect((await s.ok("ls", "-l", "/link")).out).toMatch(/link -> a\.txt\n$/);
  });

  it("makes the link inside an existing directory", async () => {
    const s = await tree();
    await s.ok("ln", "-s", "/a.txt", "/dir");
    expect((await s.ok("cat", "/dir/a.txt")).out).toBe("a\n");
  });

  it("requires -s (usage error) and fails with EEXIST on an existing name", async () => {
    const s = await tree();
    const hard = await s.pond("ln", "/a.txt", "/hard");
    expect(hard.code).toBe(2);
    expect(hard.err).toMatch(/^pond: USAGE: pond has symbolic links only: use ln -s\n/);
    const taken = await s.pond("ln", "-s", "/a.txt", "/b.txt");
    expect(taken.code).toBe(1);
    expect(taken.err).toBe("pond: EEXIST: /b.txt: already exists\n");
  });
});
