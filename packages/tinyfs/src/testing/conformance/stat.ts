// Conformance: stat, lstat and exists.

import { describe, expect, it } from "vitest";
import { ROOT_ID } from "../../node-id.js";
import { expectPondError, sha256 } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function statTests(ctx: SuiteContext): void {
  describe("stat and lstat", () => {
    it("stat of the root describes the root directory", async () => {
      const p = await ctx.pond();
      await p.step();
      const stat = await p.root.stat("/");
      expect(stat.nodeId).toBe(ROOT_ID);
      expect(stat.partId).toBe(ROOT_ID);
      expect(stat.entryType).toBe("directory");
      expect(stat.size).toBe(0);
      expect(stat.sha256).toBe("");
    });

    it("a directory's size is its entry count", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/a", "x");
      await p.root.createDirPath("d/b");
      await p.root.createSymlinkPath("d/c", "a");
      await p.step();
      expect((await p.root.stat("d")).size).toBe(3);
      expect((await p.root.stat("/")).size).toBe(1);
      await p.root.remove("d/a");
      await p.step();
      expect((await p.root.stat("d")).size).toBe(2);
    });

    it("stat follows a final symlink", async () => {
      const p = await ctx.pond();
      const file = await p.root.writeFile("f", "content");
      await p.root.createSymlinkPath("l", "f");
      await p.step();
      const stat = await p.root.stat("l");
      expect(stat.nodeId).toBe(file.nodeId);
      expect(stat.entryType).toBe("file:data");
      expect(stat.size).toBe(7);
    });

    it("lstat describes the symlink itself", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.createSymlinkPath("d/l", "f");
      await p.step();
      const l = await p.root.lstat("d/l");
      expect(l.entryType).toBe("symlink");
      expect(l.size).toBe(1);
      expect(l.sha256).toBe(sha256("f"));
      expect(l.partId).toBe((await p.root.stat("d")).nodeId);
      expect(l.nodeId).not.toBe((await p.root.stat("d/l")).nodeId);
    });

    it("lstat of a non-symlink is the same as stat", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      expect(await p.root.lstat("f")).toEqual(await p.root.stat("f"));
    });

    it("stat of a dangling symlink is ENOENT, lstat works", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("l", "missing");
      await p.step();
      await expectPondError(p.root.stat("l"), "ENOENT", "l");
      expect((await p.root.lstat("l")).entryType).toBe("symlink");
    });

    it("stat of a missing path is ENOENT", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.stat("missing"), "ENOENT", "missing");
      await expectPondError(p.root.lstat("missing"), "ENOENT", "missing");
    });
  });

  describe("exists", () => {
    it("is true for files, directories, symlinks to existing nodes and the root", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.createSymlinkPath("l", "d/f");
      await p.step();
      for (const path of ["d", "d/f", "l", "/", ".", "d/..", "d/"]) {
        expect(await p.root.exists(path), path).toBe(true);
      }
    });

    it("is false for a missing name and a missing parent", async () => {
      const p = await ctx.pond();
      await p.step();
      expect(await p.root.exists("nope")).toBe(false);
      expect(await p.root.exists("nope/deeper")).toBe(false);
    });

    it("is false for a dangling symlink", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("l", "missing");
      await p.step();
      expect(await p.root.exists("l")).toBe(false);
    });

    it("is false where resolution is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      expect(await p.root.exists("f/x")).toBe(false);
      expect(await p.root.exists("f/")).toBe(false);
    });

    it("is false for a symlink loop", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("a", "b");
      await p.root.createSymlinkPath("b", "a");
      await p.step();
      expect(await p.root.exists("a")).toBe(false);
      expect(await p.root.exists("a/x")).toBe(false);
    });

    it("throws EINVAL for an invalid path", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.exists(""), "EINVAL", "");
      await expectPondError(p.root.exists("a\0b"), "EINVAL", "a\0b");
      await expectPondError(p.root.exists("x".repeat(256)), "EINVAL", "x".repeat(256));
    });
  });
}
