// Conformance: writing and reading files, their versions and metadata.

import { describe, expect, it } from "vitest";
import { isNodeId, ROOT_ID } from "../../node-id.js";
import { bytes, expectPondError, sha256, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function fileTests(ctx: SuiteContext): void {
  describe("writeFile", () => {
    it("creates a file at version 1 with complete metadata", async () => {
      const p = await ctx.pond();
      const meta = await p.root.writeFile("f", "hello");
      expect(isNodeId(meta.nodeId)).toBe(true);
      expect(meta.partId).toBe(ROOT_ID);
      expect(meta.entryType).toBe("file:data");
      expect(meta.version).toBe(1);
      expect(meta.size).toBe(5);
      expect(meta.sha256).toBe(sha256("hello"));
      expect(meta.timestamp).toBeInstanceOf(Date);
      await p.step();
      const stat = await p.root.stat("f");
      expect(stat).toMatchObject({
        nodeId: meta.nodeId,
        partId: ROOT_ID,
        entryType: "file:data",
        version: 1,
        size: 5,
        sha256: sha256("hello"),
      });
      expect(stat.timestamp).toBeInstanceOf(Date);
    });

    it("gives a file in a subdirectory that directory's id as partId", async () => {
      const p = await ctx.pond();
      const dir = await p.root.createDirPath("d");
      const meta = await p.root.writeFile("d/f", "x");
      expect(meta.partId).toBe(dir.nodeId);
      await p.step();
      expect((await p.root.stat("d/f")).partId).toBe(dir.nodeId);
    });

    it("writes strings as UTF-8", async () => {
      const p = await ctx.pond();
      const meta = await p.root.writeFile("f", "héllo €");
      expect(meta.size).toBe(bytes("héllo €").length);
      await p.step();
      expect(await p.root.readFile("f")).toEqual(bytes("héllo €"));
    });

    it("writes bytes as given", async () => {
      const p = await ctx.pond();
      const data = new Uint8Array([0, 255, 1, 128, 0]);
      await p.root.writeFile("f", data);
      await p.step();
      expect(await p.root.readFile("f")).toEqual(data);
      expect((await p.root.stat("f")).sha256).toBe(sha256(data));
    });

    it("allows empty files", async () => {
      const p = await ctx.pond();
      const meta = await p.root.writeFile("empty", "");
      expect(meta.size).toBe(0);
      expect(meta.sha256).toBe(sha256(""));
      await p.step();
      expect((await p.root.readFile("empty")).length).toBe(0);
    });

    it("overwriting adds version n+1 and keeps the nodeId", async () => {
      const p = await ctx.pond();
      const v1 = await p.root.writeFile("f", "one");
      await p.step();
      const v2 = await p.root.writeFile("f", "two!");
      const v3 = await p.root.writeFile("f", "three");
      expect([v2.version, v3.version]).toEqual([2, 3]);
      expect(v2.nodeId).toBe(v1.nodeId);
      expect(v3.nodeId).toBe(v1.nodeId);
      expect(v3.size).toBe(5);
      await p.step();
      expect((await p.root.stat("f")).version).toBe(3);
    });

    it("keeps the stored bytes apart from the caller's buffers", async () => {
      const p = await ctx.pond();
      const data = new Uint8Array([1, 2, 3]);
      await p.root.writeFile("f", data);
      data[0] = 99;
      const read = await p.root.readFile("f");
      read[1] = 99;
      await p.step();
      expect(await p.root.readFile("f")).toEqual(new Uint8Array([1, 2, 3]));
    });

    // Node's Buffer pool is what makes aliasing likely; browsers have no Buffer.
    it.skipIf(typeof Buffer === "undefined")(
      "keeps Buffers' bytes apart too, in a transaction, small and large",
      async () => {
        const p = await ctx.pond();
        const small = Buffer.from([1, 2, 3]);
        const large = Buffer.alloc(100 * 1024, 7);
        await p.fs.transaction(async (root) => {
          await root.writeFile("small", small);
          await root.writeFile("large", large);
          small[0] = 99;
          large[0] = 99;
          (await root.readFile("small"))[1] = 99;
          (await root.readFile("large"))[1] = 99;
        });
        await p.step();
        expect(await p.root.readFile("small")).toEqual(new Uint8Array([1, 2, 3]));
        const read = await p.root.readFile("large");
        expect(read[0]).toBe(7);
        expect(read[1]).toBe(7);
      },
    );

    it("creates the requested file entry type", async () => {
      const p = await ctx.pond();
      const table = await p.root.writeFile("t", "x", { entryType: "file:table" });
      const series = await p.root.writeFile("s", "x", { entryType: "file:series" });
      expect(table.entryType).toBe("file:table");
      expect(series.entryType).toBe("file:series");
      await p.step();
      expect((await p.root.stat("t")).entryType).toBe("file:table");
      expect((await p.root.readdir()).map((e) => e.entryType)).toEqual([
        "file:series",
        "file:table",
      ]);
    });

    it("keeps an existing file's entry type when none is given", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("t", "x", { entryType: "file:table" });
      await p.step();
      const meta = await p.root.writeFile("t", "y");
      expect(meta.entryType).toBe("file:table");
      expect(meta.version).toBe(2);
    });

    it("is EINVAL for the entry types directory and symlink", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.writeFile("f", "x", { entryType: "directory" }), "EINVAL", "f");
      await expectPondError(p.root.writeFile("f", "x", { entryType: "symlink" }), "EINVAL", "f");
      expect(await p.root.exists("f")).toBe(false);
    });

    it("is EINVAL for an entry type other than the existing file's", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.writeFile("f", "y", { entryType: "file:table" }), "EINVAL", "f");
      expect(text(await p.root.readFile("f"))).toBe("x");
      expect((await p.root.stat("f")).version).toBe(1);
    });

    it("is EISDIR onto an existing directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.writeFile("d", "x"), "EISDIR", "d");
      await expectPondError(p.root.writeFile("/", "x"), "EISDIR", "/");
    });

    it("is EISDIR for a path with a trailing slash", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.writeFile("x/", "data"), "EISDIR", "x/");
      expect(await p.root.exists("x")).toBe(false);
    });

    it("is EINVAL for a final `.` or `..`", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a");
      await p.step();
      await expectPondError(p.root.writeFile("a/..", "x"), "EINVAL", "a/..");
      await expectPondError(p.root.writeFile("a/.", "x"), "EINVAL", "a/.");
    });

    it("is ENOENT when the parent is missing", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.writeFile("missing/f", "x"), "ENOENT", "missing/f");
    });

    it("is ENOTDIR when the parent is a file", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      await expectPondError(p.root.writeFile("f/g", "x"), "ENOTDIR", "f/g");
    });

    it("writes through a final symlink into the target file", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      const original = await p.root.writeFile("d/target", "one");
      await p.root.createSymlinkPath("link", "d/target");
      await p.step();
      const meta = await p.root.writeFile("link", "two");
      expect(meta.nodeId).toBe(original.nodeId);
      expect(meta.version).toBe(2);
      await p.step();
      expect(text(await p.root.readFile("d/target"))).toBe("two");
      expect(await p.root.readlink("link")).toBe("d/target");
      expect((await p.root.lstat("link")).entryType).toBe("symlink");
    });

    it("creates the target of a dangling symlink when its parent exists", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.createSymlinkPath("link", "d/new");
      await p.step();
      const meta = await p.root.writeFile("link", "made");
      expect(meta.version).toBe(1);
      await p.step();
      expect(text(await p.root.readFile("d/new"))).toBe("made");
      expect((await p.root.readdir()).map((e) => [e.name, e.entryType])).toEqual([
        ["d", "directory"],
        ["link", "symlink"],
      ]);
    });

    it("is ENOENT through a dangling symlink whose target's parent is missing", async () => {
      const p = await ctx.pond();
      await p.root.createSymlinkPath("link", "nowhere/new");
      await p.step();
      await expectPondError(p.root.writeFile("link", "x"), "ENOENT", "link");
    });
  });

  describe("readFile", () => {
    it("returns the newest version by default", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "one");
      await p.root.writeFile("f", "two");
      await p.step();
      expect(text(await p.root.readFile("f"))).toBe("two");
    });

    it("returns the requested version", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "one");
      await p.root.writeFile("f", "two");
      await p.root.writeFile("f", "three");
      await p.step();
      expect(text(await p.root.readFile("f", { version: 1 }))).toBe("one");
      expect(text(await p.root.readFile("f", { version: 2 }))).toBe("two");
      expect(text(await p.root.readFile("f", { version: 3 }))).toBe("three");
    });

    it("is ENOENT for a version that does not exist", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "one");
      await p.step();
      await expectPondError(p.root.readFile("f", { version: 2 }), "ENOENT", "f");
    });

    it("is EINVAL for a version that is not a positive integer", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "one");
      await p.step();
      for (const version of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expectPondError(p.root.readFile("f", { version }), "EINVAL", "f");
      }
    });

    it("is EISDIR for a directory", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.step();
      await expectPondError(p.root.readFile("d"), "EISDIR", "d");
      await expectPondError(p.root.readFile("/"), "EISDIR", "/");
    });

    it("is ENOENT for a missing file", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.readFile("nope"), "ENOENT", "nope");
    });
  });

  describe("listFileVersions", () => {
    it("lists every version oldest first with size and sha256", async () => {
      const p = await ctx.pond();
      const contents = ["a", "bb", "", "dddd"];
      for (const c of contents) await p.root.writeFile("f", c);
      await p.step();
      const versions = await p.root.listFileVersions("f");
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
      expect(versions.map((v) => v.size)).toEqual([1, 2, 0, 4]);
      expect(versions.map((v) => v.sha256)).toEqual(contents.map((c) => sha256(c)));
      const nodeIds = new Set(versions.map((v) => v.nodeId));
      expect(nodeIds.size).toBe(1);
      for (const v of versions) expect(v.timestamp).toBeInstanceOf(Date);
    });

    it("lists the target's versions through a symlink", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "1");
      await p.root.writeFile("f", "2");
      await p.root.createSymlinkPath("l", "f");
      await p.step();
      expect((await p.root.listFileVersions("l")).map((v) => v.version)).toEqual([1, 2]);
    });

    it("works for directories, newest last", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/a", "x");
      await p.root.writeFile("d/b", "x");
      await p.step();
      const versions = await p.root.listFileVersions("d");
      expect(versions.length).toBeGreaterThan(0);
      for (const v of versions) expect(v.entryType).toBe("directory");
      const numbers = versions.map((v) => v.version);
      expect([...numbers].sort((x, y) => x - y)).toEqual(numbers);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers[numbers.length - 1]).toBe((await p.root.stat("d")).version);
    });

    it("is ENOENT for a missing path", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(p.root.listFileVersions("nope"), "ENOENT", "nope");
    });
  });
}
