// Conformance: symlinks, their targets, chains and loops.

import { describe, expect, it } from "vitest";
import { expectPondError, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function symlinkTests(ctx: SuiteContext): void {
  describe("symlinks", () => {
    it("stores the target verbatim", async () => {
      const p = await ctx.pond();
      const targets = ["f", "../x/./y/", "/abs//path", "a b/€", "..", "*?["];
      for (const [i, target] of targets.entries()) {
        await p.root.createSymlinkPath(`l${i}`, target);
      }
      await p.step();
      for (const [i, target] of targets.entries()) {
        expect(await p.root.readlink(`l${i}`)).toBe(target);
      }
    });

    it("resolves a relative target from the link's directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/sub", { recursive: true });
      await p.root.writeFile("d/sub/f", "in sub");
      await p.root.writeFile("f", "at root");
      await p.root.createSymlinkPath("d/l", "sub/f");
      await p.root.createSymlinkPath("d/up", "../f");
      await p.step();
      expect(text(await p.root.readFile("d/l"))).toBe("in sub");
      expect(text(await p.root.readFile("d/up"))).toBe("at root");
    });

    it("resolves an absolute target from the root", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("f", "root f");
      await p.root.writeFile("d/f", "d f");
      await p.root.createSymlinkPath("d/l", "/f");
      await p.step();
      expect(text(await p.root.readFile("d/l"))).toBe("root f");
    });

    it("may point at something that does not exist", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("l", "not/there");
      await p.step();
      expect(await p.root.readlink("l")).toBe("not/there");
      expect(await p.root.exists("l")).toBe(false);
      await expectPondError(p.root.readFile("l"), "ENOENT", "l");
    });

    it("starts working once its target is created", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("l", "later");
      await p.root.writeFile("later", "now");
      await p.step();
      expect(text(await p.root.readFile("l"))).toBe("now");
    });

    it("is EEXIST when the name already exists", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createDirPath("d");
      await p.root.createSymlinkPath("l", "f");
      await p.step();
      await expectPondError(p.root.createSymlinkPath("f", "t"), "EEXIST", "f");
      await expectPondError(p.root.createSymlinkPath("d", "t"), "EEXIST", "d");
      await expectPondError(p.root.createSymlinkPath("l", "t"), "EEXIST", "l");
      expect(await p.root.readlink("l")).toBe("f");
    });

    it("is EINVAL for an empty target or one containing NUL", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.createSymlinkPath("l", ""), "EINVAL", "l");
      await expectPondError(p.root.createSymlinkPath("l", "a\0b"), "EINVAL", "l");
      expect(await p.root.readdir()).toEqual([]);
    });

    it("is EINVAL for a final `.` or `..` in the link's path", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.createSymlinkPath("d/..", "t"), "EINVAL", "d/..");
      await expectPondError(p.root.createSymlinkPath(".", "t"), "EINVAL", ".");
    });

    it("is ENOENT when the link's parent is missing", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.createSymlinkPath("missing/l", "t"), "ENOENT", "missing/l");
    });

    it("gets its own node id and its directory as partId", async () => {
      const p = await ctx.pond();
      const d = await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.root.createSymlinkPath("d/l", "f");
      await p.step();
      const entries = await p.root.readdir("d");
      const link = entries.find((e) => e.name === "l");
      const file = entries.find((e) => e.name === "f");
      expect(link?.partId).toBe(d.nodeId);
      expect(link?.nodeId).not.toBe(file?.nodeId);
    });

    it("readlink of a file or directory is EINVAL", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.readlink("f"), "EINVAL", "f");
      await expectPondError(p.root.readlink("d"), "EINVAL", "d");
    });

    it("readlink of a missing path is ENOENT", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.readlink("nope"), "ENOENT", "nope");
    });

    it("readlink does not follow the final link", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("l1", "f");
      await p.root.createSymlinkPath("l2", "l1");
      await p.step();
      expect(await p.root.readlink("l2")).toBe("l1");
    });

    it("follows links among the intermediate components", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real/sub", { recursive: true });
      await p.root.writeFile("real/sub/f", "found");
      await p.root.createSymlinkPath("l", "real");
      await p.root.createSymlinkPath("real/sub/back", "..");
      await p.step();
      expect(text(await p.root.readFile("l/sub/f"))).toBe("found");
      expect(text(await p.root.readFile("l/sub/back/sub/f"))).toBe("found");
    });

    it("an intermediate link to a file is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("l", "f");
      await p.step();
      await expectPondError(p.root.readFile("l/x"), "ENOTDIR", "l/x");
    });

    it("a chain of links resolves, also through links to directories", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "end");
      await p.root.createSymlinkPath("ld1", "d");
      await p.root.createSymlinkPath("ld2", "ld1");
      await p.root.createSymlinkPath("lf", "ld2/f");
      await p.root.createSymlinkPath("lf2", "/lf");
      await p.step();
      expect(text(await p.root.readFile("lf2"))).toBe("end");
      expect(text(await p.root.readFile("ld2/f"))).toBe("end");
      expect((await p.root.readdir("ld2")).map((e) => e.name)).toEqual(["f"]);
    });

    it("a chain of 32 links resolves and one of 33 is ELOOP", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "end");
      await p.fs.transaction(async (root) => {
        await root.createSymlinkPath("l1", "f");
        for (let i = 2; i <= 33; i++) await root.createSymlinkPath(`l${i}`, `l${i - 1}`);
      });
      await p.step();
      expect(text(await p.root.readFile("l32"))).toBe("end");
      await expectPondError(p.root.readFile("l33"), "ELOOP", "l33");
      expect(await p.root.readlink("l33")).toBe("l32");
    });

    it("a link to itself is ELOOP", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("self", "self");
      await p.step();
      await expectPondError(p.root.readFile("self"), "ELOOP", "self");
      await expectPondError(p.root.stat("self"), "ELOOP", "self");
      expect((await p.root.lstat("self")).entryType).toBe("symlink");
    });

    it("two links pointing at each other are ELOOP", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("a", "b");
      await p.root.createSymlinkPath("b", "a");
      await p.step();
      await expectPondError(p.root.readFile("a"), "ELOOP", "a");
      await expectPondError(p.root.readdir("b/x"), "ELOOP", "b/x");
      await expectPondError(p.root.writeFile("a", "x"), "ELOOP", "a");
    });

    it("a link that reaches itself through `..` is ELOOP", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.createDirPath("b");
      await p.root.createSymlinkPath("a/l", "../b/l");
      await p.root.createSymlinkPath("b/l", "../a/l/x");
      await p.root.createSymlinkPath("a/self", "../a/self");
      await p.step();
      await expectPondError(p.root.stat("a/l"), "ELOOP", "a/l");
      await expectPondError(p.root.stat("a/self"), "ELOOP", "a/self");
    });

    it("the same link used twice in one path is not a loop", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d/e", { recursive: true });
      await p.root.writeFile("d/e/f", "x");
      await p.root.createSymlinkPath("d/e/up", "..");
      await p.step();
      expect(text(await p.root.readFile("d/e/up/e/up/e/up/e/f"))).toBe("x");
    });

    it("a symlink to the root works", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("d/root", "/");
      await p.step();
      expect(text(await p.root.readFile("d/root/f"))).toBe("x");
      expect((await p.root.openDirPath("d/root")).path).toBe("/");
    });
  });
}
