// Conformance: creating and opening directories.

import { describe, expect, it } from "vitest";
import { isNodeId, ROOT_ID } from "../../node-id.js";
import { expectPondError, historyLength } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function directoryTests(ctx: SuiteContext): void {
  describe("createDirPath", () => {
    it("returns a WD for the new, empty directory", async () => {
      const p = await ctx.pond();
      const wd = await p.root.createDirPath("d");
      expect(wd.path).toBe("/d");
      expect(await wd.readdir()).toEqual([]);
      await p.step();
      const stat = await p.root.stat("d");
      expect(stat.nodeId).toBe(wd.nodeId);
      expect(stat.entryType).toBe("directory");
      expect(stat.size).toBe(0);
      expect(stat.sha256).toBe("");
    });

    it("gives a directory a new UUIDv7 id that is also its partId", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.createDirPath("b");
      await p.step();
      const a = await p.root.stat("a");
      const b = await p.root.stat("b");
      expect(isNodeId(a.nodeId)).toBe(true);
      expect(a.nodeId).not.toBe(b.nodeId);
      expect(a.nodeId).not.toBe(ROOT_ID);
      expect(a.partId).toBe(a.nodeId);
    });

    it("is EEXIST when the name already exists", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("dangling", "nowhere");
      await p.step();
      await expectPondError(p.root.createDirPath("d"), "EEXIST", "d");
      await expectPondError(p.root.createDirPath("f"), "EEXIST", "f");
      await expectPondError(p.root.createDirPath("dangling"), "EEXIST", "dangling");
    });

    it("with a trailing slash, an existing file or symlink is EEXIST, not followed", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real");
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("dangling", "real/new");
      await p.root.createSymlinkPath("toDir", "real");
      await p.step();
      await expectPondError(p.root.createDirPath("f/"), "EEXIST", "f/");
      await expectPondError(p.root.createDirPath("dangling/"), "EEXIST", "dangling/");
      await expectPondError(p.root.createDirPath("toDir/"), "EEXIST", "toDir/");
      expect(await p.root.readdir("real")).toEqual([]);
      expect((await p.root.createDirPath("fresh/")).path).toBe("/fresh");
    });

    it("is ENOENT when the parent is missing", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.createDirPath("missing/d"), "ENOENT", "missing/d");
      expect(await p.root.readdir()).toEqual([]);
    });

    it("is ENOTDIR when the parent is a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.createDirPath("f/d"), "ENOTDIR", "f/d");
    });

    it("creates missing parents with recursive", async () => {
      const p = await ctx.pond();
      const wd = await p.root.createDirPath("a/b/c", { recursive: true });
      expect(wd.path).toBe("/a/b/c");
      await p.step();
      expect((await p.root.stat("a/b/c")).entryType).toBe("directory");
      expect((await p.root.readdir("a")).map((e) => e.name)).toEqual(["b"]);
    });

    it("returns an existing directory with recursive and adds no version", async () => {
      const p = await ctx.pond();
      const first = await p.root.createDirPath("a/b", { recursive: true });
      await p.step();
      const before = await historyLength(p.fs);
      const again = await p.root.createDirPath("a/b", { recursive: true });
      expect(again.nodeId).toBe(first.nodeId);
      expect(again.path).toBe("/a/b");
      await p.step();
      expect(await historyLength(p.fs)).toBe(before);
    });

    it("is ENOTDIR with recursive when a file is in the way", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("a/f", "x");
      await p.step();
      await expectPondError(
        p.root.createDirPath("a/f/b/c", { recursive: true }),
        "ENOTDIR",
        "a/f/b/c",
      );
      expect((await p.root.readdir("a")).map((e) => e.name)).toEqual(["f"]);
    });

    it("is ENOTDIR with recursive when a dangling symlink is in the way", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real");
      await p.root.createSymlinkPath("x", "real/x");
      await p.root.createSymlinkPath("y", "real/other");
      await p.step();
      await expectPondError(p.root.createDirPath("x/sub", { recursive: true }), "ENOTDIR", "x/sub");
      await expectPondError(p.root.createDirPath("y/sub", { recursive: true }), "ENOTDIR", "y/sub");
      await expectPondError(p.root.createDirPath("x", { recursive: true }), "EEXIST", "x");
      expect(await p.root.readdir("real")).toEqual([]);
    });

    it("a recursive call that fails half-way creates nothing", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      const before = await historyLength(p.fs);
      await expectPondError(
        p.root.createDirPath("a/b/../../f/c", { recursive: true }),
        "ENOTDIR",
        "a/b/../../f/c",
      );
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["f"]);
      expect(await historyLength(p.fs)).toBe(before);
    });

    it("is EEXIST with recursive when the final name is a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.createDirPath("f", { recursive: true }), "EEXIST", "f");
    });

    it("is EEXIST for the root, and returns the root with recursive", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.createDirPath("/"), "EEXIST", "/");
      const root = await p.root.createDirPath("/", { recursive: true });
      expect(root.path).toBe("/");
      expect(root.nodeId).toBe(ROOT_ID);
    });

    it("is EINVAL for a final `.` or `..`", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.step();
      await expectPondError(p.root.createDirPath("."), "EINVAL", ".");
      await expectPondError(p.root.createDirPath("a/.."), "EINVAL", "a/..");
      await expectPondError(p.root.createDirPath("a/."), "EINVAL", "a/.");
      await expectPondError(p.root.createDirPath("new/.."), "EINVAL", "new/..");
    });

    it("creates inside the target of a symlinked parent", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real");
      await p.root.createSymlinkPath("link", "real");
      const wd = await p.root.createDirPath("link/sub");
      expect(wd.path).toBe("/real/sub");
      await p.step();
      expect((await p.root.readdir("real")).map((e) => e.name)).toEqual(["sub"]);
      expect((await p.root.lstat("link")).entryType).toBe("symlink");
    });

    it("recursive follows symlinks to directories among the parents", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real");
      await p.root.createSymlinkPath("link", "/real");
      const wd = await p.root.createDirPath("link/x/y", { recursive: true });
      expect(wd.path).toBe("/real/x/y");
      await p.step();
      expect((await p.root.stat("real/x/y")).entryType).toBe("directory");
    });
  });

  describe("openDirPath", () => {
    it("opens an existing directory", async () => {
      const p = await ctx.pond();
      const created = await p.root.createDirPath("a/b", { recursive: true });
      await p.step();
      const opened = await p.root.openDirPath("a/b");
      expect(opened.path).toBe("/a/b");
      expect(opened.nodeId).toBe(created.nodeId);
    });

    it("opens the root with / and .", async () => {
      const p = await ctx.pond();
      await p.step();
      expect((await p.root.openDirPath("/")).nodeId).toBe(ROOT_ID);
      expect((await p.root.openDirPath(".")).path).toBe("/");
    });

    it("is ENOENT for a missing directory", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.openDirPath("nope"), "ENOENT", "nope");
    });

    it("is ENOTDIR for a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.openDirPath("f"), "ENOTDIR", "f");
    });

    it("follows a symlink to a directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.createSymlinkPath("l", "d");
      await p.step();
      const wd = await p.root.openDirPath("l");
      expect(wd.path).toBe("/d");
      expect((await wd.readdir()).map((e) => e.name)).toEqual(["f"]);
    });

    it("is ENOTDIR for a symlink to a file and ENOENT for a dangling one", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("lf", "f");
      await p.root.createSymlinkPath("ld", "missing");
      await p.step();
      await expectPondError(p.root.openDirPath("lf"), "ENOTDIR", "lf");
      await expectPondError(p.root.openDirPath("ld"), "ENOENT", "ld");
    });
  });
}
