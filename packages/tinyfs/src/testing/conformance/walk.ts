// Conformance: walking everything below a directory.

import { describe, expect, it } from "vitest";
import type { PondError } from "../../errors.js";
import { collect, expectPondError } from "../assertions.js";
import type { Pond, SuiteContext } from "../harness.js";

/** /d/{a,b/{c,e},link -> b}, /top */
async function sampleTree(p: Pond): Promise<void> {
  await p.fs.transaction(async (root) => {
    await root.createDirPath("d/b", { recursive: true });
    await root.writeFile("d/a", "a");
    await root.writeFile("d/b/c", "c");
    await root.writeFile("d/b/e", "ee");
    await root.createSymlinkPath("d/link", "b");
    await root.writeFile("top", "t");
  });
}

export function walkTests(ctx: SuiteContext): void {
  describe("walk", () => {
    it("yields everything below a directory, a directory before its contents, in name order", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const d = await p.root.stat("/d");
      const b = await p.root.stat("/d/b");
      const steps = await collect(p.root.walk("/d"));
      expect(steps.map((s) => [s.path, s.relative, s.entry.entryType, s.parentId])).toEqual([
        ["/d/a", "a", "file:data", d.nodeId],
        ["/d/b", "b", "directory", d.nodeId],
        ["/d/b/c", "b/c", "file:data", b.nodeId],
        ["/d/b/e", "b/e", "file:data", b.nodeId],
        ["/d/link", "link", "symlink", d.nodeId],
      ]);
      const all = await collect(p.root.walk("/"));
      expect(all.map((s) => s.path)).toEqual(["/d", ...steps.map((s) => s.path), "/top"]);
      const relative = await collect((await p.root.openDirPath("d")).walk("b/"));
      expect(relative.map((s) => [s.path, s.relative])).toEqual([
        ["b/c", "c"],
        ["b/e", "e"],
      ]);
    });

    it("follows symlinks to directories only when asked", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const followed = await collect(p.root.walk("/d", { followSymlinks: true }));
      expect(followed.map((s) => s.path)).toEqual([
        "/d/a",
        "/d/b",
        "/d/b/c",
        "/d/b/e",
        "/d/link",
        "/d/link/c",
        "/d/link/e",
      ]);
    });

    it("gives each entry's newest version with metadata, a symlink's own", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.root.writeFile("d/b/e", "a second version");
      await p.step();
      for (const step of await collect(p.root.walk("/", { metadata: true }))) {
        expect(step.metadata).toEqual(await p.root.lstat(step.path));
      }
    });

    it("a file is ENOTDIR and a missing path ENOENT", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      await expectPondError(collect(p.root.walk("/top")), "ENOTDIR", "/top");
      await expectPondError(collect(p.root.walk("/nothing")), "ENOENT", "/nothing");
    });

    it("a symlink back into the way down is ELOOP, reported with onError while the walk goes on", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.root.createSymlinkPath("d/b/up", "..");
      await p.step();
      await expectPondError(
        collect(p.root.walk("/d", { followSymlinks: true })),
        "ELOOP",
        "/d/b/up",
      );
      const errors: PondError[] = [];
      const steps = await collect(
        p.root.walk("/d", { followSymlinks: true, onError: (e) => errors.push(e) }),
      );
      expect(errors.map((e) => [e.code, e.path])).toEqual([
        ["ELOOP", "/d/b/up"],
        ["ELOOP", "/d/link/up"],
      ]);
      expect(steps.map((s) => s.path)).toContain("/d/link/e");
    });
  });
}
