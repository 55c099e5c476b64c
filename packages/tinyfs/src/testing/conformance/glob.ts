// Conformance: glob patterns (literal, `*`, `**`), captures, symlinks and loops.

import { describe, expect, it } from "vitest";
import type { PondError } from "../../errors.js";
import { collect, expectPondError, globPaths } from "../assertions.js";
import type { Pond, SuiteContext } from "../harness.js";

/** /data/{a.csv,b.csv,notes.txt}, /data/2024/{jan.csv,feb.csv}, /data/2024/q1/x.csv, /top.csv */
async function sampleTree(p: Pond): Promise<void> {
  await p.fs.transaction(async (root) => {
    await root.createDirPath("data/2024/q1", { recursive: true });
    for (const f of ["data/a.csv", "data/b.csv", "data/notes.txt", "top.csv"]) {
      await root.writeFile(f, f);
    }
    for (const f of ["data/2024/jan.csv", "data/2024/feb.csv", "data/2024/q1/x.csv"]) {
      await root.writeFile(f, f);
    }
  });
}

export function globTests(ctx: SuiteContext): void {
  describe("glob", () => {
    it("a literal pattern matches exactly that path", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const matches = await collect(p.root.glob("data/a.csv"));
      expect(matches.map((m) => [m.path, m.captures])).toEqual([["data/a.csv", []]]);
    });

    it("a pattern that matches nothing yields nothing", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      expect(await collect(p.root.glob("data/*.json"))).toEqual([]);
      expect(await collect(p.root.glob("missing/*"))).toEqual([]);
    });

    it("`*` matches within one name, captures the match, in name order", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const matches = await collect(p.root.glob("data/*.csv"));
      expect(matches.map((m) => [m.path, m.captures])).toEqual([
        ["data/a.csv", ["a"]],
        ["data/b.csv", ["b"]],
      ]);
    });

    it("`*` can match an empty run of characters", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("log", "x");
      await p.root.writeFile("log1", "x");
      await p.step();
      const matches = await collect(p.root.glob("log*"));
      expect(matches.map((m) => [m.path, m.captures])).toEqual([
        ["log", [""]],
        ["log1", ["1"]],
      ]);
    });

    it("each `*` of a component is captured in order", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("temp-north.csv", "x");
      await p.root.writeFile("temp.csv", "x");
      await p.step();
      const matches = await collect(p.root.glob("*-*.csv"));
      expect(matches.map((m) => [m.path, m.captures])).toEqual([
        ["temp-north.csv", ["temp", "north"]],
      ]);
    });

    it("captures of several components come in pattern order", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const matches = await collect(p.root.glob("d*/2024/*.csv"));
      expect(matches.map((m) => [m.path, m.captures]).sort()).toEqual([
        ["data/2024/feb.csv", ["ata", "feb"]],
        ["data/2024/jan.csv", ["ata", "jan"]],
      ]);
    });

    it("`*` does not match across a slash", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      expect(await globPaths(p.root.glob("*.csv"))).toEqual(["top.csv"]);
      expect(await globPaths(p.root.glob("*/x.csv"))).toEqual([]);
    });

    it("`**` matches zero or more directories", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      expect(await globPaths(p.root.glob("**/*.csv"))).toEqual([
        "data/2024/feb.csv",
        "data/2024/jan.csv",
        "data/2024/q1/x.csv",
        "data/a.csv",
        "data/b.csv",
        "top.csv",
      ]);
      expect(await globPaths(p.root.glob("data/**/x.csv"))).toEqual(["data/2024/q1/x.csv"]);
      expect(await globPaths(p.root.glob("data/**/a.csv"))).toEqual(["data/a.csv"]);
    });

    it("`**` captures nothing", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const matches = await collect(p.root.glob("**/x.*"));
      expect(matches.map((m) => [m.path, m.captures])).toEqual([["data/2024/q1/x.csv", ["csv"]]]);
    });

    it("a final `**` matches every entry beneath, not the start directory", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      expect(await globPaths(p.root.glob("data/2024/**"))).toEqual([
        "data/2024/feb.csv",
        "data/2024/jan.csv",
        "data/2024/q1",
        "data/2024/q1/x.csv",
      ]);
    });

    it("a final `**` yields a directory before its contents, in name order", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.writeFile("a/b/f", "x");
      await p.root.writeFile("a/c", "x");
      await p.root.writeFile("z", "x");
      await p.step();
      const paths = (await collect(p.root.glob("**"))).map((m) => m.path);
      expect(paths).toEqual(["a", "a/b", "a/b/f", "a/c", "z"]);
    });

    it("`?` and `[` are literal characters", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("a?", "x");
      await p.root.writeFile("ab", "x");
      await p.root.writeFile("[x]", "x");
      await p.root.writeFile("x", "x");
      await p.step();
      expect(await globPaths(p.root.glob("a?"))).toEqual(["a?"]);
      expect(await globPaths(p.root.glob("[x]"))).toEqual(["[x]"]);
      expect(await globPaths(p.root.glob("*]"))).toEqual(["[x]"]);
    });

    it("regular-expression characters in names are literal", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("a.b+c(1)$", "x");
      await p.root.writeFile("aXb+c(1)$", "x");
      await p.step();
      expect(await globPaths(p.root.glob("a.b+c(*)$"))).toEqual(["a.b+c(1)$"]);
    });

    it("a component mixing `**` with other characters is EINVAL", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(collect(p.root.glob("a**")), "EINVAL", "a**");
      await expectPondError(collect(p.root.glob("x/**b/y")), "EINVAL", "x/**b/y");
      await expectPondError(collect(p.root.glob("***")), "EINVAL", "***");
    });

    it("an empty pattern is EINVAL", async () => {
      const p = await ctx.pond();
      await p.step();
      await expectPondError(collect(p.root.glob("")), "EINVAL", "");
    });

    it("a relative pattern yields paths relative to the WD", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const data = await p.root.openDirPath("data");
      expect(await globPaths(data.glob("*.csv"))).toEqual(["a.csv", "b.csv"]);
      expect(await globPaths(data.glob("2024/q1/*"))).toEqual(["2024/q1/x.csv"]);
    });

    it("an absolute pattern yields absolute paths", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const data = await p.root.openDirPath("data");
      expect(await globPaths(data.glob("/data/*.csv"))).toEqual(["/data/a.csv", "/data/b.csv"]);
      expect(await globPaths(p.root.glob("/*.csv"))).toEqual(["/top.csv"]);
      expect(await globPaths(p.root.glob("/**/x.csv"))).toEqual(["/data/2024/q1/x.csv"]);
    });

    it("each match carries the entry of the matched name", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.root.createSymlinkPath("data/link", "a.csv");
      await p.step();
      const matches = await collect(p.root.glob("data/*"));
      const byPath = new Map(matches.map((m) => [m.path, m.entry]));
      expect(byPath.get("data/2024")?.entryType).toBe("directory");
      expect(byPath.get("data/a.csv")?.nodeId).toBe((await p.root.stat("data/a.csv")).nodeId);
      expect(byPath.get("data/a.csv")?.name).toBe("a.csv");
      expect(byPath.get("data/link")?.entryType).toBe("symlink");
      expect(byPath.get("data/link")?.name).toBe("link");
    });

    it("follows symlinked directories", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.root.createSymlinkPath("alias", "data/2024");
      await p.step();
      expect(await globPaths(p.root.glob("alias/*.csv"))).toEqual([
        "alias/feb.csv",
        "alias/jan.csv",
      ]);
      expect(await globPaths(p.root.glob("alias/**/x.csv"))).toEqual(["alias/q1/x.csv"]);
      expect(await globPaths(p.root.glob("**/q1/x.csv"))).toEqual([
        "alias/q1/x.csv",
        "data/2024/q1/x.csv",
      ]);
    });

    it("a pattern through a file or a dangling link yields nothing", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.root.createSymlinkPath("dangling", "nowhere");
      await p.step();
      expect(await collect(p.root.glob("f/*"))).toEqual([]);
      expect(await collect(p.root.glob("dangling/*"))).toEqual([]);
      expect(await globPaths(p.root.glob("**"))).toEqual(["dangling", "f"]);
    });

    it("yields no duplicate paths", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const paths = (await collect(p.root.glob("**/**/x.csv"))).map((m) => m.path);
      expect(paths).toEqual(["data/2024/q1/x.csv"]);
      const all = (await collect(p.root.glob("**/**"))).map((m) => m.path);
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort()).toEqual(await globPaths(p.root.glob("**")));
    });

    it("a looping link met while matching is ELOOP naming the pattern", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.createSymlinkPath("self", "self");
      await p.step();
      await expectPondError(collect(p.root.glob("*/x")), "ELOOP", "*/x");
      await expectPondError(collect(p.root.glob("self/x")), "ELOOP", "self/x");
      expect(await globPaths(p.root.glob("*"))).toEqual(["d", "self"]);
    });

    it("a symlink cycle reached by `**` is ELOOP", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.createSymlinkPath("a/b/up", "..");
      await p.step();
      await expectPondError(collect(p.root.glob("**/x")), "ELOOP", "**/x");
      await expectPondError(collect(p.root.glob("a/**")), "ELOOP", "a/**");
      expect(await globPaths(p.root.glob("a/*/up/b"))).toEqual(["a/b/up/b"]);
    });

    it("with onError, a symlink cycle is reported against the link and the rest is matched", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("a/b", { recursive: true });
      await p.root.createSymlinkPath("a/b/up", "..");
      await p.root.writeFile("a/f", "x");
      await p.step();
      const errors: PondError[] = [];
      const paths = (await collect(p.root.glob("**", { onError: (e) => errors.push(e) }))).map(
        (m) => m.path,
      );
      expect(paths).toEqual(["a", "a/b", "a/b/up", "a/f"]);
      expect(errors.map((e) => [e.code, e.path])).toEqual([["ELOOP", "a/b/up"]]);
    });

    it("with onError, a looping link is reported and matching goes on", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/x", "x");
      await p.root.createSymlinkPath("self", "self");
      await p.step();
      const errors: PondError[] = [];
      const paths = await globPaths(p.root.glob("*/x", { onError: (e) => errors.push(e) }));
      expect(paths).toEqual(["d/x"]);
      expect(errors.map((e) => [e.code, e.path])).toEqual([["ELOOP", "self"]]);
    });

    it("the pond can be used while a glob is iterated, and a glob stopped early lets go", async () => {
      const p = await ctx.pond();
      await sampleTree(p);
      await p.step();
      const sizes: number[] = [];
      for await (const match of p.root.glob("**/*.csv")) {
        sizes.push((await p.root.stat(match.path)).size);
      }
      expect(sizes).toHaveLength(6);
      for await (const _ of p.root.glob("**")) break;
      await p.root.writeFile("after.txt", "the pond is free again");
      expect(await p.root.exists("after.txt")).toBe(true);
    });

    it("`**` goes down a deep chain of directories", async () => {
      const p = await ctx.pond();
      const depth = 300;
      const deepest = Array.from({ length: depth }, () => "d").join("/");
      await p.root.createDirPath(deepest, { recursive: true });
      await p.root.writeFile(`${deepest}/leaf`, "x");
      await p.step();
      const paths = (await collect(p.root.glob("**"))).map((m) => m.path);
      expect(paths).toHaveLength(depth + 1);
      expect(paths[depth]).toBe(`${deepest}/leaf`);
    });
  });
}
