// Conformance: removing files, symlinks and directories.

import { describe, expect, it } from "vitest";
import { expectPondError, historyLength, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function removeTests(ctx: SuiteContext): void {
  describe("remove", () => {
    it("removes a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.writeFile("g", "y");
      await p.root.remove("f");
      await p.step();
      expect(await p.root.exists("f")).toBe(false);
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["g"]);
    });

    it("removes a symlink, not its target", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("l", "f");
      await p.root.remove("l");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["f"]);
      expect(text(await p.root.readFile("f"))).toBe("x");
    });

    it("removes a dangling symlink", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("l", "missing");
      await p.step();
      await p.root.remove("l");
      await p.step();
      expect(await p.root.readdir()).toEqual([]);
    });

    it("removes an empty directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await p.root.remove("d");
      await p.step();
      expect(await p.root.readdir()).toEqual([]);
    });

    it("is ENOTEMPTY for a non-empty directory and removes nothing", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/sub", { recursive: true });
      await p.root.writeFile("d/f", "x");
      await p.step();
      const before = await historyLength(p.fs);
      await expectPondError(p.root.remove("d"), "ENOTEMPTY", "d");
      await p.step();
      expect((await p.root.readdir("d")).map((e) => e.name)).toEqual(["f", "sub"]);
      expect(await historyLength(p.fs)).toBe(before);
    });

    it("removes a whole subtree with recursive", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/a/b", { recursive: true });
      await p.root.writeFile("d/a/b/f", "x");
      await p.root.createSymlinkPath("d/l", "a");
      await p.root.writeFile("keep", "k");
      await p.step();
      await p.root.remove("d", { recursive: true });
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["keep"]);
      expect(await p.root.exists("d/a/b/f")).toBe(false);
    });

    it("removes a file with recursive as well", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.remove("f", { recursive: true });
      await p.step();
      expect(await p.root.readdir()).toEqual([]);
    });

    it("is ENOENT for a missing path or parent", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.remove("nope"), "ENOENT", "nope");
      await expectPondError(p.root.remove("nope/deeper"), "ENOENT", "nope/deeper");
    });

    it("is EINVAL for the root", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.remove("/"), "EINVAL", "/");
      await expectPondError(p.root.remove("/", { recursive: true }), "EINVAL", "/");
      expect(await p.root.exists("f")).toBe(true);
    });

    it("is EINVAL for a final `.` or `..`", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/e", { recursive: true });
      await p.step();
      await expectPondError(p.root.remove("d/e/.."), "EINVAL", "d/e/..");
      await expectPondError(p.root.remove("d/."), "EINVAL", "d/.");
      expect(await p.root.exists("d/e")).toBe(true);
    });

    it("is ENOTDIR for a file named with a trailing slash", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.remove("f/"), "ENOTDIR", "f/");
      expect(await p.root.exists("f")).toBe(true);
    });

    it("removes inside the target of a symlinked parent", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.createSymlinkPath("l", "d");
      await p.root.remove("l/f");
      await p.step();
      expect(await p.root.readdir("d")).toEqual([]);
      expect((await p.root.lstat("l")).entryType).toBe("symlink");
    });

    it("frees the name: a new node with the same name starts at version 1", async () => {
      const p = await ctx.pond();
      const old = await p.root.writeFile("f", "a");
      await p.root.writeFile("f", "b");
      await p.root.remove("f");
      await p.step();
      const fresh = await p.root.writeFile("f", "c");
      expect(fresh.version).toBe(1);
      expect(fresh.nodeId).not.toBe(old.nodeId);
      await p.step();
      expect((await p.root.listFileVersions("f")).length).toBe(1);
    });

    it("a directory removed and created again is empty", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.remove("d", { recursive: true });
      await p.root.createDirPath("d");
      await p.step();
      expect(await p.root.readdir("d")).toEqual([]);
    });
  });
}
