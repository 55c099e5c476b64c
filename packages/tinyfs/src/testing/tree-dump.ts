// A whole pond tree as one comparable value: every path with its type, content and versions.

import type { WD } from "../wd.js";
import { sha256, text } from "./assertions.js";

/** Absolute path → description; see {@link describeFile} and friends for the format. */
export type TreeDump = Record<string, string>;

export function describeDirectory(entryCount: number): string {
  return `directory size=${entryCount}`;
}

export function describeSymlink(target: string): string {
  return `symlink -> ${JSON.stringify(target)}`;
}

/** A file: its type and every version (number, size, digest prefix, text) oldest first. */
export function describeFile(entryType: string, versions: readonly string[]): string {
  const parts = versions.map((content, i) => {
    const size = new TextEncoder().encode(content).length;
    return `v${i + 1}:${size}:${sha256(content).slice(0, 12)}:${JSON.stringify(content)}`;
  });
  return `${entryType} [${parts.join(", ")}]`;
}

/**
 * Walks the tree under `root` without following symlinks, reading every
 * version of every file, and describes it. Metadata that disagrees with the
 * content read back (version numbering, size, sha256) shows up as a
 * difference from the expected dump.
 */
export async function dumpTree(root: WD): Promise<TreeDump> {
  const dump: TreeDump = {};
  const walk = async (dir: string): Promise<void> => {
    const entries = await root.readdir(dir);
    dump[dir] = describeDirectory((await root.stat(dir)).size);
    if (entries.length !== (await root.stat(dir)).size) {
      dump[dir] += ` (but ${entries.length} entries listed)`;
    }
    for (const entry of entries) {
      const path = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.entryType === "directory") {
        await walk(path);
      } else if (entry.entryType === "symlink") {
        dump[path] = describeSymlink(await root.readlink(path));
      } else {
        const versions = await root.listFileVersions(path);
        const contents: string[] = [];
        const problems: string[] = [];
        for (const [i, meta] of versions.entries()) {
          const data = await root.readFile(path, { version: meta.version });
          contents.push(text(data));
          if (meta.version !== i + 1) problems.push(`version ${meta.version} at index ${i}`);
          if (meta.size !== data.length) problems.push(`v${meta.version} size ${meta.size}`);
          if (meta.sha256 !== sha256(data)) problems.push(`v${meta.version} sha256 ${meta.sha256}`);
          if (meta.entryType !== entry.entryType)
            problems.push(`v${meta.version} ${meta.entryType}`);
        }
        dump[path] =
          describeFile(entry.entryType, contents) +
          (problems.length > 0 ? ` (metadata: ${problems.join("; ")})` : "");
      }
    }
  };
  await walk("/");
  return dump;
}
