// cp's destination rules.

import { describe, expect, it } from "vitest";
import { copyTargets, type DestinationKind } from "./copy-destination.js";

const join = (dir: string, name: string) => `${dir.replace(/\/$/, "")}/${name}`;
const fail = (code: string, detail: string) => new Error(`${code}: ${detail}`);
const file = (name: string) => ({ name, isDirectory: false });
const dir = (name: string) => ({ name, isDirectory: true });

function targets(
  sources: Array<{ name: string; isDirectory: boolean }>,
  dest: string,
  kind: DestinationKind,
) {
  return copyTargets(sources, dest, kind, join, fail);
}

describe("copyTargets (cp's destination rules)", () => {
  it("puts sources inside an existing directory under their own names", () => {
    expect(targets([file("a"), dir("b")], "/d", "directory")).toEqual(["/d/a", "/d/b"]);
    expect(targets([file("a")], "/d/", "directory")).toEqual(["/d/a"]);
  });

  it("merges a directory's contents (dir/., the root) into the destination", () => {
    expect(targets([dir(".")], "/d", "directory")).toEqual(["/d"]);
    expect(targets([dir("")], "/d", "missing")).toEqual(["/d"]);
  });

  it("gives one source the destination's name when it is missing or a file", () => {
    expect(targets([file("a")], "/new", "missing")).toEqual(["/new"]);
    expect(targets([dir("a")], "/new", "missing")).toEqual(["/new"]);
    expect(targets([file("a")], "/old", "file")).toEqual(["/old"]);
  });

  it("needs a directory for several sources", () => {
    expect(() => targets([file("a"), file("b")], "/new", "missing")).toThrow(/^ENOENT/);
    expect(() => targets([file("a"), file("b")], "/f", "file")).toThrow(/^ENOTDIR/);
  });

  it("refuses a directory onto a file, and a trailing / on what is not a directory", () => {
    expect(() => targets([dir("a")], "/f", "file")).toThrow(/^ENOTDIR/);
    expect(() => targets([file("a")], "/f/", "file")).toThrow(/^ENOTDIR/);
    expect(() => targets([file("a")], "/new/", "missing")).toThrow(/^ENOENT/);
  });
});
