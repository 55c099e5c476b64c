// Small helpers for pond paths as the CLI composes them.

import { type EntryType, PondError, parsePath, type WD } from "@pond/tinyfs";
import type { DestinationKind } from "./copy-destination.js";
import { holdsDynamic } from "./dynamic-reads.js";

/** `name` inside `dir`; `dir` may end in `/`. */
export function pondJoin(dir: string, name: string): string {
  const base = dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
  if (base === "/" || base === "") return `${base}${name}`;
  return `${base}/${name}`;
}

/** The last component of a pond path: "" for the root, "." for a path ending in `/.`. */
export function pondBasename(path: string): string {
  const parsed = parsePath(path);
  if (parsed.endsInDots) return ".";
  return parsed.components[parsed.components.length - 1] ?? "";
}

/** A path as shown to people: absolute (paths are relative to the root anyway). */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

/** What `path` names, symlinks followed: a directory, a file, or nothing. */
export async function destinationKind(root: WD, path: string): Promise<DestinationKind> {
  try {
    return (await root.stat(path)).entryType === "directory" ? "directory" : "file";
  } catch (error) {
    if (PondError.is(error, "ENOENT")) return "missing";
    throw await insideDynamic(root, path, error);
  }
}

/** EROFS for a destination below a dynamic node (its files are computed), else `error`. */
async function insideDynamic(root: WD, path: string, error: unknown): Promise<unknown> {
  if (!PondError.is(error, "ENOTDIR")) return error;
  if (!(await holdsDynamic(root, path))) return error;
  return new PondError("EROFS", "a dynamic node's content is computed: it cannot be written", {
    path,
  });
}

/** The type of the node at `path` (symlinks followed), or undefined when missing. */
export async function entryTypeAt(root: WD, path: string): Promise<EntryType | undefined> {
  try {
    return (await root.stat(path)).entryType;
  } catch (error) {
    if (PondError.is(error, "ENOENT")) return undefined;
    throw await insideDynamic(root, path, error);
  }
}
