// Conformance: history() and time travel with atVersion().

import { describe, expect, it } from "vitest";
import { collect, expectPondError, historyLength, text } from "../assertions.js";
import type { Pond, SuiteContext } from "../harness.js";
import {
  describeDirectory as dir,
  dumpTree,
  describeFile as file,
  describeSymlink as link,
  type TreeDump,
} from "../tree-dump.js";

/**
 * Nine commits touching every kind of change, one per step, and the tree
 * expected after each (index = pond version).
 */
async function scenario(p: Pond): Promise<TreeDump[]> {
  const expected: TreeDump[] = [{ "/": dir(0) }];
  const steps: Array<[() => Promise<unknown>, TreeDump]> = [
    [() => p.root.createDirPath("docs"), { "/": dir(1), "/docs": dir(0) }],
    [
      () => p.root.writeFile("docs/a.txt", "alpha"),
      { "/": dir(1), "/docs": dir(1), "/docs/a.txt": file("file:data", ["alpha"]) },
    ],
    [
      () => p.root.writeFile("docs/a.txt", "alpha 2"),
      { "/": dir(1), "/docs": dir(1), "/docs/a.txt": file("file:data", ["alpha", "alpha 2"]) },
    ],
    [
      () => p.root.createSymlinkPath("latest", "docs/a.txt"),
      {
        "/": dir(2),
        "/docs": dir(1),
        "/docs/a.txt": file("file:data", ["alpha", "alpha 2"]),
        "/latest": link("docs/a.txt"),
      },
    ],
    [
      () => p.root.createDirPath("archive"),
      {
        "/": dir(3),
        "/archive": dir(0),
        "/docs": dir(1),
        "/docs/a.txt": file("file:data", ["alpha", "alpha 2"]),
        "/latest": link("docs/a.txt"),
      },
    ],
    [
      () => p.root.rename("docs/a.txt", "archive/a.txt"),
      {
        "/": dir(3),
        "/archive": dir(1),
        "/archive/a.txt": file("file:data", ["alpha", "alpha 2"]),
        "/docs": dir(0),
        "/latest": link("docs/a.txt"),
      },
    ],
    [
      () =>
        p.fs.transaction(
          async (root) => {
            await root.writeFile("docs/b.txt", "beta");
            await root.writeFile("docs/c.csv", "x,y", { entryType: "file:table" });
            await root.writeFile("archive/a.txt", "alpha 3");
          },
          { message: "batch" },
        ),
      {
        "/": dir(3),
        "/archive": dir(1),
        "/archive/a.txt": file("file:data", ["alpha", "alpha 2", "alpha 3"]),
        "/docs": dir(2),
        "/docs/b.txt": file("file:data", ["beta"]),
        "/docs/c.csv": file("file:table", ["x,y"]),
        "/latest": link("docs/a.txt"),
      },
    ],
    [
      () => p.root.remove("docs/b.txt"),
      {
        "/": dir(3),
        "/archive": dir(1),
        "/archive/a.txt": file("file:data", ["alpha", "alpha 2", "alpha 3"]),
        "/docs": dir(1),
        "/docs/c.csv": file("file:table", ["x,y"]),
        "/latest": link("docs/a.txt"),
      },
    ],
    [
      () => p.root.remove("archive", { recursive: true }),
      {
        "/": dir(2),
        "/docs": dir(1),
        "/docs/c.csv": file("file:table", ["x,y"]),
        "/latest": link("docs/a.txt"),
      },
    ],
  ];
  for (const [change, tree] of steps) {
    await change();
    await p.step();
    expected.push(tree);
  }
  return expected;
}

export function historyTests(ctx: SuiteContext): void {
  describe("history", () => {
    it("a new pond's history is version 0 alone", async () => {
      const p = await ctx.pond();
      await p.step();
      const history = await p.fs.history();
      expect(history.length).toBe(1);
      expect(history[0]?.version).toBe(0);
      expect(history[0]?.timestamp).toBeInstanceOf(Date);
    });

    it("each commit appends the next version, oldest first", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("a", "1");
      await p.root.writeFile("b", "2");
      await p.fs.transaction(async (root) => root.writeFile("c", "3"));
      await p.step();
      const history = await p.fs.history();
      expect(history.map((h) => h.version)).toEqual([0, 1, 2, 3]);
      for (const [i, h] of history.entries()) {
        expect(h.timestamp).toBeInstanceOf(Date);
        const previous = history[i - 1];
        if (previous)
          expect(h.timestamp.getTime()).toBeGreaterThanOrEqual(previous.timestamp.getTime());
      }
    });

    it("autocommit messages are non-empty and name what changed", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("some-dir");
      await p.root.writeFile("some-dir/some-file", "x");
      await p.step();
      const messages = (await p.fs.history()).slice(1).map((h) => h.message ?? "");
      expect(messages[0]).toContain("some-dir");
      expect(messages[1]).toContain("some-file");
    });

    it("records a transaction's message and meta", async () => {
      const p = await ctx.pond();
      await p.fs.transaction(async (root) => root.writeFile("f", "x"), {
        message: "import data",
        meta: { command: "pond import" },
      });
      await p.step();
      const last = (await p.fs.history()).at(-1);
      expect(last?.message).toBe("import data");
      expect(last?.meta).toEqual({ command: "pond import" });
    });
  });

  describe("time travel", () => {
    it("atVersion shows the whole tree exactly as at every version", async () => {
      const p = await ctx.pond();
      const expected = await scenario(p);
      const history = await p.fs.history();
      expect(history.map((h) => h.version)).toEqual(expected.map((_, v) => v));
      expect(history[7]?.message).toBe("batch");
      for (const [version, tree] of expected.entries()) {
        const view = p.track(await p.fs.atVersion(version));
        expect(await dumpTree(view.root()), `version ${version}`).toEqual(tree);
      }
      expect(await dumpTree(p.root)).toEqual(expected[expected.length - 1]);
    });

    it("a view reads only the file versions up to its point", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "one");
      await p.root.writeFile("f", "two");
      await p.root.writeFile("f", "three");
      await p.step();
      const view = p.track(await p.fs.atVersion(2));
      const root = view.root();
      expect(text(await root.readFile("f"))).toBe("two");
      expect((await root.stat("f")).version).toBe(2);
      expect((await root.listFileVersions("f")).map((v) => v.version)).toEqual([1, 2]);
      expect(text(await root.readFile("f", { version: 1 }))).toBe("one");
      await expectPondError(root.readFile("f", { version: 3 }), "ENOENT", "f");
    });

    it("a view shows removed files and old symlink targets, and globs them", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/x.csv", "x");
      await p.root.createSymlinkPath("l", "d/x.csv");
      await p.root.remove("l");
      await p.root.createSymlinkPath("l", "elsewhere");
      await p.root.remove("d", { recursive: true });
      await p.step();
      const view = p.track(await p.fs.atVersion(3));
      expect(await view.root().readlink("l")).toBe("d/x.csv");
      expect(text(await view.root().readFile("l"))).toBe("x");
      expect((await collect(view.root().glob("**/*.csv"))).map((m) => m.path)).toEqual(["d/x.csv"]);
      expect(await p.root.readlink("l")).toBe("elsewhere");
      expect(await p.root.exists("d")).toBe(false);
    });

    it("version 0 is the empty root", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      const view = p.track(await p.fs.atVersion(0));
      expect(await view.root().readdir()).toEqual([]);
      expect((await view.root().stat("/")).entryType).toBe("directory");
    });

    it("the newest version shows the live tree", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.writeFile("a/b/f", "1");
      await p.root.writeFile("a/b/f", "2");
      await p.root.createSymlinkPath("a/l", "b/f");
      await p.step();
      const newest = (await historyLength(p.fs)) - 1;
      const view = p.track(await p.fs.atVersion(newest));
      expect(await dumpTree(view.root())).toEqual(await dumpTree(p.root));
    });

    it("a view does not change when later versions are committed", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "old");
      await p.step();
      // The view is used while its source is open: a view's life after its source closes is not part of the contract.
      const view = p.track(await p.fs.atVersion(1));
      const before = await dumpTree(view.root());
      await p.root.writeFile("f", "new");
      await p.root.writeFile("g", "more");
      expect(await dumpTree(view.root())).toEqual(before);
      expect(text(await view.root().readFile("f"))).toBe("old");
    });

    it("every mutation on a view is EROFS", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("f", "x");
      await p.step();
      const view = p.track(await p.fs.atVersion(2));
      const root = view.root();
      await expectPondError(root.writeFile("f", "y"), "EROFS", "f");
      await expectPondError(root.writeFile("new", "y"), "EROFS", "new");
      await expectPondError(root.createDirPath("e"), "EROFS", "e");
      await expectPondError(root.createSymlinkPath("l", "f"), "EROFS", "l");
      await expectPondError(root.remove("f"), "EROFS", "f");
      await expectPondError(root.rename("f", "g"), "EROFS", "f");
      expect(await dumpTree(root)).toEqual(await dumpTree(p.root));
    });

    it("a transaction on a view is EROFS at its first mutation", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      const view = p.track(await p.fs.atVersion(1));
      let readInside = "";
      await expectPondError(
        view.transaction(async (root) => {
          readInside = text(await root.readFile("f"));
          await root.writeFile("g", "y");
        }),
        "EROFS",
        "g",
      );
      expect(readInside).toBe("x");
      expect(await view.root().exists("g")).toBe(false);
    });

    it("atVersion is EINVAL for a negative, fractional or future version", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.step();
      for (const version of [-1, 0.5, Number.NaN, 2, 100]) {
        await expectPondError(p.fs.atVersion(version), "EINVAL");
      }
    });
  });
}
