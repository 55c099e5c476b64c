// Conformance: moving and renaming files, symlinks and directories.

import { describe, expect, it } from "vitest";
import { expectPondError, historyLength, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function renameTests(ctx: SuiteContext): void {
  describe("rename", () => {
    it("renames a file within a directory", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("a", "x");
      await p.root.rename("a", "b");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["b"]);
      expect(text(await p.root.readFile("b"))).toBe("x");
      expect(await p.root.exists("a")).toBe(false);
    });

    it("moves a file across directories", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("src");
      await p.root.createDirPath("dst");
      await p.root.writeFile("src/f", "x");
      await p.root.rename("src/f", "dst/g");
      await p.step();
      expect(await p.root.readdir("src")).toEqual([]);
      expect((await p.root.readdir("dst")).map((e) => e.name)).toEqual(["g"]);
      expect(text(await p.root.readFile("dst/g"))).toBe("x");
    });

    it("keeps the nodeId and the whole version history", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      const v1 = await p.root.writeFile("f", "one");
      await p.root.writeFile("f", "two");
      await p.root.rename("f", "d/moved");
      await p.step();
      const versions = await p.root.listFileVersions("d/moved");
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
      expect(versions.every((v) => v.nodeId === v1.nodeId)).toBe(true);
      expect(text(await p.root.readFile("d/moved", { version: 1 }))).toBe("one");
      expect((await p.root.stat("d/moved")).nodeId).toBe(v1.nodeId);
      const v3 = await p.root.writeFile("d/moved", "three");
      expect(v3.version).toBe(3);
    });

    it("keeps a moved file's partId", async () => {
      const p = await ctx.pond();
      const a = await p.root.createDirPath("a");
      await p.root.createDirPath("b");
      await p.root.writeFile("a/f", "x");
      await p.root.rename("a/f", "b/f");
      await p.step();
      const entry = (await p.root.readdir("b"))[0];
      expect(entry?.partId).toBe(a.nodeId);
      expect((await p.root.stat("b/f")).partId).toBe(a.nodeId);
    });

    it("onto an existing file replaces it", async () => {
      const p = await ctx.pond();
      const moved = await p.root.writeFile("a", "new");
      await p.root.writeFile("b", "old");
      await p.step();
      await p.root.rename("a", "b");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["b"]);
      expect(text(await p.root.readFile("b"))).toBe("new");
      expect((await p.root.stat("b")).nodeId).toBe(moved.nodeId);
    });

    it("a file onto an existing symlink replaces the link, not its target", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("target", "t");
      await p.root.createSymlinkPath("l", "target");
      await p.root.writeFile("f", "f");
      await p.root.rename("f", "l");
      await p.step();
      expect((await p.root.lstat("l")).entryType).toBe("file:data");
      expect(text(await p.root.readFile("l"))).toBe("f");
      expect(text(await p.root.readFile("target"))).toBe("t");
    });

    it("a symlink onto an existing file replaces it", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "f");
      await p.root.writeFile("g", "g");
      await p.root.createSymlinkPath("l", "g");
      await p.root.rename("l", "f");
      await p.step();
      expect(await p.root.readlink("f")).toBe("g");
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["f", "g"]);
    });

    it("moves a symlink itself, not its target", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("t", "root t");
      await p.root.writeFile("d/t", "d t");
      await p.root.createSymlinkPath("l", "t");
      await p.root.rename("l", "d/l");
      await p.step();
      expect(await p.root.readlink("d/l")).toBe("t");
      expect(text(await p.root.readFile("d/l"))).toBe("d t");
      expect(text(await p.root.readFile("t"))).toBe("root t");
      expect(await p.root.exists("l")).toBe(false);
    });

    it("moves a directory with its whole subtree", async () => {
      const p = await ctx.pond();
      const d = await p.root.createDirPath("d/e", { recursive: true });
      await p.root.writeFile("d/e/f", "x");
      await p.root.createDirPath("other");
      await p.root.rename("d", "other/moved");
      await p.step();
      expect(text(await p.root.readFile("other/moved/e/f"))).toBe("x");
      expect((await p.root.stat("other/moved/e")).nodeId).toBe(d.nodeId);
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["other"]);
      expect((await p.root.openDirPath("other/moved/e")).path).toBe("/other/moved/e");
    });

    it("a directory onto an empty directory replaces it", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("a/f", "x");
      await p.root.createDirPath("empty");
      await p.root.rename("a", "empty");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["empty"]);
      expect(text(await p.root.readFile("empty/f"))).toBe("x");
    });

    it("a directory onto a non-empty directory is ENOTEMPTY", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.createDirPath("b");
      await p.root.writeFile("b/f", "x");
      await p.step();
      await expectPondError(p.root.rename("a", "b"), "ENOTEMPTY", "b");
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["a", "b"]);
    });

    it("a file onto a directory is EISDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.rename("f", "d"), "EISDIR", "d");
    });

    it("a directory onto a file is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.rename("d", "f"), "ENOTDIR", "f");
      expect(text(await p.root.readFile("f"))).toBe("x");
    });

    it("a file onto a path with a trailing slash is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.rename("f", "g/"), "ENOTDIR", "g/");
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["f"]);
    });

    it("a directory into its own subtree is EINVAL", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.step();
      await expectPondError(p.root.rename("a", "a/b/c"), "EINVAL", "a/b/c");
      await expectPondError(p.root.rename("a", "a/c"), "EINVAL", "a/c");
      await expectPondError(p.root.rename("/a", "/a/b"), "EINVAL", "/a/b");
      expect((await p.root.stat("a/b")).entryType).toBe("directory");
    });

    it("a directory into its own subtree through a symlink is EINVAL", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.createSymlinkPath("l", "a/b");
      await p.step();
      await expectPondError(p.root.rename("a", "l/c"), "EINVAL", "l/c");
    });

    it("the root is EINVAL as source or destination", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.rename("/", "x"), "EINVAL", "/");
      await expectPondError(p.root.rename("d", "/"), "EINVAL", "/");
    });

    it("a final `.` or `..` on either side is EINVAL", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/e", { recursive: true });
      await p.step();
      await expectPondError(p.root.rename("d/e/..", "x"), "EINVAL", "d/e/..");
      await expectPondError(p.root.rename("d/e", "d/.."), "EINVAL", "d/..");
    });

    it("a missing source is ENOENT about the source", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.rename("nope", "d/x"), "ENOENT", "nope");
    });

    it("a missing destination parent is ENOENT about the destination", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.rename("f", "missing/g"), "ENOENT", "missing/g");
      expect(await p.root.exists("f")).toBe(true);
    });

    it("a destination under a file is ENOTDIR about the destination", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.writeFile("g", "y");
      await p.step();
      await expectPondError(p.root.rename("f", "g/h"), "ENOTDIR", "g/h");
    });

    it("rename(x, x) is a no-op", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.step();
      const before = await historyLength(p.fs);
      await p.root.rename("d/f", "d/f");
      await p.root.rename("d", "./d");
      await p.step();
      expect(text(await p.root.readFile("d/f"))).toBe("x");
      expect(await historyLength(p.fs)).toBe(before);
    });

    it("moves through symlinked parent directories", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.createDirPath("b");
      await p.root.createSymlinkPath("la", "a");
      await p.root.createSymlinkPath("lb", "/b");
      await p.root.writeFile("a/f", "x");
      await p.root.rename("la/f", "lb/g");
      await p.step();
      expect(await p.root.readdir("a")).toEqual([]);
      expect(text(await p.root.readFile("b/g"))).toBe("x");
    });

    it("a moved WD's old path no longer resolves, the new one does", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("old/inner", { recursive: true });
      await p.root.rename("old", "new");
      await p.step();
      await expectPondError(p.root.openDirPath("old/inner"), "ENOENT", "old/inner");
      expect((await p.root.openDirPath("new/inner")).path).toBe("/new/inner");
    });
  });
}
