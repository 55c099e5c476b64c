// Conformance: what a valid name and path is, and how errors report the caller's path.

import { describe, expect, it } from "vitest";
import { PondError } from "../../errors.js";
import type { WD } from "../../wd.js";
import { collect, expectPondError, rejection, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

/** Every path-taking operation, given one path argument. */
function everyOperation(root: WD): Array<[string, (path: string) => Promise<unknown>]> {
  return [
    ["createDirPath", (path) => root.createDirPath(path)],
    ["createDirPath recursive", (path) => root.createDirPath(path, { recursive: true })],
    ["openDirPath", (path) => root.openDirPath(path)],
    ["writeFile", (path) => root.writeFile(path, "x")],
    ["readFile", (path) => root.readFile(path)],
    ["createSymlinkPath", (path) => root.createSymlinkPath(path, "t")],
    ["readlink", (path) => root.readlink(path)],
    ["exists", (path) => root.exists(path)],
    ["stat", (path) => root.stat(path)],
    ["lstat", (path) => root.lstat(path)],
    ["readdir", (path) => root.readdir(path)],
    ["remove", (path) => root.remove(path)],
    ["rename from", (path) => root.rename(path, "ok")],
    ["rename to", (path) => root.rename("src", path)],
    ["listFileVersions", (path) => root.listFileVersions(path)],
    ["glob", (path) => collect(root.glob(path))],
  ];
}

async function expectEveryOperationInvalid(root: WD, path: string): Promise<void> {
  for (const [name, op] of everyOperation(root)) {
    const error = await rejection(op(path));
    expect(
      PondError.is(error, "EINVAL"),
      `${name}(${JSON.stringify(path)}): ${String(error)}`,
    ).toBe(true);
    expect((error as PondError).path, name).toBe(path);
  }
}

export function nameTests(ctx: SuiteContext): void {
  describe("names and errors", () => {
    it("an empty path is EINVAL for every operation", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("src", "x");
      await p.step();
      await expectEveryOperationInvalid(p.root, "");
    });

    it("a NUL anywhere in a path is EINVAL for every operation", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("src", "x");
      await p.root.createDirPath("d");
      await p.step();
      await expectEveryOperationInvalid(p.root, "a\0b");
      await expectEveryOperationInvalid(p.root, "\0/d");
      await expectEveryOperationInvalid(p.root, "d/x\0");
    });

    it("a component over 255 UTF-8 bytes is EINVAL for every operation", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("src", "x");
      await p.root.createDirPath("d");
      await p.step();
      await expectEveryOperationInvalid(p.root, "n".repeat(256));
      await expectEveryOperationInvalid(p.root, `${"n".repeat(256)}/d`);
      // 86 three-byte characters: short in UTF-16, 258 bytes in UTF-8.
      await expectEveryOperationInvalid(p.root, `d/${"€".repeat(86)}`);
    });

    it("names of exactly 255 UTF-8 bytes are accepted", async () => {
      const p = await ctx.pond();
      const ascii = "a".repeat(255);
      const euro = "€".repeat(85);
      await p.root.writeFile(ascii, "ascii");
      await p.root.createDirPath(euro);
      await p.root.writeFile(`${euro}/${ascii}`, "nested");
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual([ascii, euro].sort());
      expect(text(await p.root.readFile(`${euro}/${ascii}`))).toBe("nested");
    });

    it("names may hold spaces, unicode and glob or shell characters", async () => {
      const p = await ctx.pond();
      const names = ["with space", "ünïcødé 🐟", "star*", "q?", "[br]", "back\\slash", "a:b", "-"];
      for (const name of names) await p.root.writeFile(name, name);
      await p.step();
      expect((await p.root.readdir()).map((e) => e.name)).toEqual([...names].sort());
      for (const name of names) expect(text(await p.root.readFile(name))).toBe(name);
    });

    it("errors are PondErrors with the code and the path the caller passed", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      await p.step();
      const d = await p.root.openDirPath("d");
      const error = await expectPondError(d.readFile("./missing/../x"), "ENOENT", "./missing/../x");
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toContain("ENOENT");
      await expectPondError(d.readFile("../d/f/"), "ENOTDIR", "../d/f/");
      await expectPondError(d.createDirPath("f"), "EEXIST", "f");
      await expectPondError(d.openDirPath("/d/f"), "ENOTDIR", "/d/f");
    });

    it("PondError.is recognises errors by code", async () => {
      const p = await ctx.pond();
      await p.step();
      const error = await rejection(p.root.readFile("missing"));
      expect(PondError.is(error)).toBe(true);
      expect(PondError.is(error, "ENOENT")).toBe(true);
      expect(PondError.is(error, "EEXIST")).toBe(false);
      expect(PondError.is(new Error("ENOENT"))).toBe(false);
    });
  });
}
