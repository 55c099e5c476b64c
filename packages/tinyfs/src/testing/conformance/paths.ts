// Conformance: how paths are parsed and resolved (absolute, relative, `.`, `..`, slashes).

import { describe, expect, it } from "vitest";
import { ROOT_ID } from "../../node-id.js";
import { expectPondError, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function pathTests(ctx: SuiteContext): void {
  describe("paths", () => {
    it("absolute and relative paths from the root name the same file", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("a/f", "one");
      await p.step();
      expect(text(await p.root.readFile("/a/f"))).toBe("one");
      expect(text(await p.root.readFile("a/f"))).toBe("one");
    });

    it("relative paths resolve from the working directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.writeFile("a/b/f", "deep");
      await p.root.writeFile("f", "top");
      await p.step();
      const b = await p.root.openDirPath("a/b");
      expect(text(await b.readFile("f"))).toBe("deep");
      expect(text(await b.readFile("./f"))).toBe("deep");
    });

    it("absolute paths from a subdirectory start at the root", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("f", "top");
      await p.root.writeFile("a/f", "inner");
      await p.step();
      const a = await p.root.openDirPath("a");
      expect(text(await a.readFile("/f"))).toBe("top");
    });

    it("repeated slashes collapse", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("a//f", "x");
      await p.step();
      expect(text(await p.root.readFile("//a///f"))).toBe("x");
      expect((await p.root.readdir("a")).map((e) => e.name)).toEqual(["f"]);
    });

    it("`.` components are skipped", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("./a/./b", { recursive: true });
      await p.root.writeFile("./a/./b/./f", "x");
      await p.step();
      expect(text(await p.root.readFile("a/b/f"))).toBe("x");
      expect(text(await p.root.readFile("/./a/b/./f"))).toBe("x");
    });

    it("`..` goes to the parent directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.writeFile("a/f", "in a");
      await p.step();
      expect(text(await p.root.readFile("a/b/../f"))).toBe("in a");
      const b = await p.root.openDirPath("a/b");
      expect(text(await b.readFile("../f"))).toBe("in a");
      expect((await b.openDirPath("..")).path).toBe("/a");
    });

    it("`..` never goes above the root", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.root.writeFile("a/f", "x");
      await p.step();
      expect(text(await p.root.readFile("/../../a/f"))).toBe("x");
      expect(text(await p.root.readFile("../a/f"))).toBe("x");
      expect(text(await p.root.readFile("a/../../../a/f"))).toBe("x");
      expect((await p.root.openDirPath("/../..")).path).toBe("/");
    });

    it("a trailing slash on a file is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.readFile("f/"), "ENOTDIR", "f/");
      await expectPondError(p.root.stat("f/"), "ENOTDIR", "f/");
    });

    it("a trailing slash on a directory is accepted", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.step();
      expect((await p.root.readdir("d/")).map((e) => e.name)).toEqual(["f"]);
      expect((await p.root.stat("d/")).entryType).toBe("directory");
      expect((await p.root.openDirPath("d//")).path).toBe("/d");
    });

    it("a file used as an intermediate component is ENOTDIR", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.readFile("f/x"), "ENOTDIR", "f/x");
      await expectPondError(p.root.readFile("f/.."), "ENOTDIR", "f/..");
    });

    it("a missing intermediate component is ENOENT", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.readFile("missing/f"), "ENOENT", "missing/f");
      await expectPondError(p.root.readdir("/missing/d/"), "ENOENT", "/missing/d/");
    });

    it("WD.path is / for the root and the absolute path of a subdirectory", async () => {
      const p = await ctx.pond();
      const created = await p.root.createDirPath("a/b", { recursive: true });
      expect(created.path).toBe("/a/b");
      await p.step();
      expect(p.root.path).toBe("/");
      expect((await p.root.openDirPath("a/b")).path).toBe("/a/b");
      expect((await p.root.openDirPath("/a/./b/")).path).toBe("/a/b");
    });

    it("WD.nodeId is the directory's node id, ROOT_ID for the root", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.step();
      expect(p.root.nodeId).toBe(ROOT_ID);
      const a = await p.root.openDirPath("a");
      expect(a.nodeId).toBe((await p.root.stat("a")).nodeId);
    });

    it("WD.path is the physical path when opened through a symlink", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("real/inner", { recursive: true });
      await p.root.createSymlinkPath("link", "real/inner");
      await p.step();
      const wd = await p.root.openDirPath("link");
      expect(wd.path).toBe("/real/inner");
      expect(wd.nodeId).toBe((await p.root.stat("real/inner")).nodeId);
    });

    it("`..` after a symlinked directory goes to the target's physical parent", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("x/y", { recursive: true });
      await p.root.writeFile("x/marker", "in x");
      await p.root.createDirPath("elsewhere");
      await p.root.createSymlinkPath("elsewhere/link", "/x/y");
      await p.step();
      expect(text(await p.root.readFile("elsewhere/link/../marker"))).toBe("in x");
      const viaLink = await p.root.openDirPath("elsewhere/link");
      expect((await viaLink.openDirPath("..")).path).toBe("/x");
    });

    it("operations from a subdirectory WD act relative to it", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.step();
      const a = await p.root.openDirPath("a");
      await a.createDirPath("sub");
      await a.writeFile("sub/f", "x");
      await a.createSymlinkPath("l", "sub/f");
      await a.rename("sub/f", "g");
      await p.step();
      expect((await p.root.readdir("a")).map((e) => e.name)).toEqual(["g", "l", "sub"]);
      expect(await p.root.readlink("a/l")).toBe("sub/f");
      expect(text(await p.root.readFile("a/g"))).toBe("x");
    });
  });
}
