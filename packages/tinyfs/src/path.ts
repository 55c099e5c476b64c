// Parsing and validating pond paths and names.

import { PondError } from "./errors.js";

export interface ParsedPath {
  absolute: boolean;
  /** Components with empty ones and `.` removed; `..` kept for the resolver. */
  components: string[];
  /** The path ended with `/`: it must name a directory. */
  trailingSlash: boolean;
  /** The last raw component was `.` or `..`: such a path can name, never create. */
  endsInDots: boolean;
}

const MAX_NAME_BYTES = 255;
const encoder = new TextEncoder();

export function parsePath(path: string): ParsedPath {
  if (typeof path !== "string" || path.length === 0) {
    throw new PondError("EINVAL", "empty path", { path: String(path) });
  }
  const components: string[] = [];
  let last = "";
  // One pass over the string: resolution runs this for every call.
  for (let start = 0; start <= path.length; ) {
    let end = path.indexOf("/", start);
    if (end === -1) end = path.length;
    const part = path.slice(start, end);
    last = part;
    start = end + 1;
    if (part === "" || part === ".") continue;
    if (part !== ".." && nameBytes(part) > MAX_NAME_BYTES) {
      throw new PondError("EINVAL", `name longer than ${MAX_NAME_BYTES} bytes`, { path });
    }
    components.push(part);
  }
  if (path.includes("\0")) throw new PondError("EINVAL", "path contains NUL", { path });
  return {
    absolute: path.charCodeAt(0) === 47,
    components,
    trailingSlash: path.length > 1 && path.charCodeAt(path.length - 1) === 47,
    endsInDots: last === "." || last === "..",
  };
}

/** Throws EINVAL unless `name` can name a directory entry (reported against `path`). */
export function validateName(name: string, path?: string): void {
  if (name === "" || name === "." || name === "..") {
    throw new PondError("EINVAL", `invalid name ${JSON.stringify(name)}`, at(path));
  }
  if (name.includes("/") || name.includes("\0")) {
    throw new PondError("EINVAL", "name contains / or NUL", at(path));
  }
  if (nameBytes(name) > MAX_NAME_BYTES) {
    throw new PondError("EINVAL", `name longer than ${MAX_NAME_BYTES} bytes`, at(path));
  }
}

function at(path: string | undefined): { path?: string } {
  return path === undefined ? {} : { path };
}

function nameBytes(name: string): number {
  // Most names are ASCII; only measure the UTF-8 length when it can matter.
  return name.length * 3 <= MAX_NAME_BYTES ? name.length : encoder.encode(name).length;
}

export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}
