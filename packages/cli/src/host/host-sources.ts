// The host files and directories a copy reads: every argument walked into a list of items.

import { readdirSync, type Stats, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { HostError, onHostSync } from "../errors.js";

/** One file or directory under a source. */
export interface HostItem {
  /** Absolute host path, for reading. */
  hostPath: string;
  /** The path to report errors against: the argument, joined with `relative`. */
  display: string;
  /** Its path below the source ("" for the source itself), `/`-separated. */
  relative: string;
  kind: "file" | "directory";
  size: number;
}

/** A host path named on the command line, and everything a copy of it reads. */
export interface HostSource {
  argument: string;
  /** Its last component; "." or "" when it names a directory's contents. */
  name: string;
  isDirectory: boolean;
  /** The source first, then (for a directory) everything below it, parents before children. */
  items: HostItem[];
}

/**
 * Stats and walks the sources (symlinks followed, as `cp -rL`). ENOENT for a
 * missing source, EISDIR for a directory without `recursive`, ELOOP for a
 * directory that contains itself through symlinks, EINVAL for special files.
 */
export function scanHostSources(
  args: readonly string[],
  cwd: string,
  recursive: boolean,
): HostSource[] {
  const sources: HostSource[] = [];
  for (const argument of args) {
    const hostPath = resolve(cwd, argument);
    const info = onHostSync(argument, () => statSync(hostPath));
    const name = argument.endsWith("/.") || argument === "." ? "." : basename(hostPath);
    if (info.isDirectory()) {
      if (!recursive) {
        throw new HostError("EISDIR", argument, "is a directory (use -r to copy directories)");
      }
      const items: HostItem[] = [];
      walk(hostPath, argument, "", info, new Set(), items);
      sources.push({ argument, name, isDirectory: true, items });
    } else {
      checkRegular(info, argument);
      const item: HostItem = {
        hostPath,
        display: argument,
        relative: "",
        kind: "file",
        size: info.size,
      };
      sources.push({ argument, name, isDirectory: false, items: [item] });
    }
  }
  return sources;
}

// Synchronous calls: a walk is thousands of tiny requests, each a thread-pool round trip when async.
function walk(
  hostPath: string,
  display: string,
  relative: string,
  info: Stats,
  ancestors: ReadonlySet<string>,
  items: HostItem[],
): void {
  const identity = `${info.dev}:${info.ino}`;
  if (ancestors.has(identity)) {
    throw new HostError("ELOOP", display, "directory contains itself through a symlink");
  }
  const inside = new Set(ancestors).add(identity);
  items.push({ hostPath, display, relative, kind: "directory", size: 0 });
  const names = onHostSync(display, () => readdirSync(hostPath)).sort();
  for (const name of names) {
    const childPath = join(hostPath, name);
    const childDisplay = join(display, name);
    const childRelative = relative === "" ? name : `${relative}/${name}`;
    const childInfo = onHostSync(childDisplay, () => statSync(childPath));
    if (childInfo.isDirectory()) {
      walk(childPath, childDisplay, childRelative, childInfo, inside, items);
      continue;
    }
    checkRegular(childInfo, childDisplay);
    items.push({
      hostPath: childPath,
      display: childDisplay,
      relative: childRelative,
      kind: "file",
      size: childInfo.size,
    });
  }
}

function checkRegular(info: Stats, display: string): void {
  if (!info.isFile()) throw new HostError("EINVAL", display, "not a regular file or directory");
}
