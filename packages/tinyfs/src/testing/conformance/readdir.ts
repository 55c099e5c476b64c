// Conformance: listing directories.

import { describe, expect, it } from "vitest";
import { expectPondError } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function readdirTests(ctx: SuiteContext): void {
  describe("readdir", () => {
    it("lists nothing in a new pond", async () => {
      const p = await ctx.pond();
      await p.step();
      expect(await p.root.readdir()).toEqual([]);
      expect(await p.root.readdir("/")).toEqual([]);
    });

    it("lists entries sorted by name in JavaScript string order", async () => {
      const p = await ctx.pond();
      const names = ["b", "a10", "B", "a2", "é", "a", "_", "Z"];
      for (const name of names) await p.root.writeFile(name, "x");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual([...names].sort());
    });

    it("gives each entry its nodeId, partId and entryType", async () => {
      const p = await ctx.pond();
      const d = await p.root.createDirPath("d");
      const f = await p.root.writeFile("d/f", "x", { entryType: "file:table" });
      await p.root.createDirPath("d/sub");
      await p.root.createSymlinkPath("d/l", "f");
      await p.step();
      const entries = await p.root.readdir("d");
      const sub = await p.root.stat("d/sub");
      const link = await p.root.lstat("d/l");
      expect(entries).toEqual([
        { name: "f", nodeId: f.nodeId, partId: d.nodeId, entryType: "file:table" },
        { name: "l", nodeId: link.nodeId, partId: d.nodeId, entryType: "symlink" },
        { name: "sub", nodeId: sub.nodeId, partId: sub.nodeId, entryType: "directory" },
      ]);
    });

    it("defaults to the working directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/x", "1");
      await p.root.writeFile("top", "1");
      await p.step();
      const d = await p.root.openDirPath("d");
      expect((await d.readdir()).map((e) => e.name)).toEqual(["x"]);
      expect((await p.root.readdir()).map((e) => e.name)).toEqual(["d", "top"]);
    });

    it("lists symlinks as symlinks without following them", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.createSymlinkPath("ld", "d");
      await p.root.createSymlinkPath("dangling", "nowhere");
      await p.step();
      expect((await p.root.readdir()).map((e) => [e.name, e.entryType])).toEqual([
        ["d", "directory"],
        ["dangling", "symlink"],
        ["ld", "symlink"],
      ]);
    });

    it("lists a directory through a symlink to it", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/inside", "x");
      await p.root.createSymlinkPath("l", "d");
      await p.step();
      expect(await p.root.readdir("l")).toEqual(await p.root.readdir("d"));
    });

    it("is ENOTDIR for a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.readdir("f"), "ENOTDIR", "f");
    });

    it("is ENOENT for a missing directory", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.readdir("nope"), "ENOENT", "nope");
    });

    it("shows a removed entry gone and a re-created one with a new node id", async () => {
      const p = await ctx.pond();
      const first = await p.root.writeFile("f", "x");
      await p.root.remove("f");
      const second = await p.root.writeFile("f", "y");
      await p.step();
      const entries = await p.root.readdir();
      expect(entries.map((e) => e.name)).toEqual(["f"]);
      expect(entries[0]?.nodeId).toBe(second.nodeId);
      expect(second.nodeId).not.toBe(first.nodeId);
      expect(second.version).toBe(1);
    });
  });
}
