// Host paths built from pond names: each name stays one component, and the result stays below
// the directory it was joined to, whatever a (crafted) pond calls its entries.

import { isAbsolute, join, relative, sep } from "node:path";
import { PondError } from "@pond/tinyfs";

/**
 * `names` (pond names joined with `/`) below the host directory `base`. CORRUPT, naming
 * `pondPath`, when a name is empty, `.`, `..`, holds NUL or a host separator, or the joined path
 * would not be below `base`.
 */
export function hostPathBelow(base: string, names: string, pondPath: string): string {
  if (names === "") return base;
  const parts = names.split("/");
  for (const part of parts) {
    if (part === "" || part === "." || part === ".." || part.includes("\0") || part.includes(sep)) {
      throw escaping(pondPath);
    }
  }
  const path = join(base, ...parts);
  const below = relative(base, path);
  if (below === "" || below === ".." || below.startsWith(`..${sep}`) || isAbsolute(below)) {
    throw escaping(pondPath);
  }
  return path;
}

function escaping(pondPath: string): PondError {
  return new PondError("CORRUPT", "a name that would leave the export target (a damaged pond)", {
    path: pondPath,
  });
}
