// The host files around a hostile pond: known contents and old mtimes, so that any file pond
// creates, changes, deletes or reads outside the pond and the export target shows.

import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, utimes, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/** In every canary file: finding it in pond's output or an export means pond read a host file. */
export const SECRET = "CANARY-SECRET";

/** Old enough for every grace period and retention pond has: fodder for a stray vacuum. */
export const LONG_AGO = new Date(Date.now() - 2 * 24 * 3600 * 1000);

/** The canary files every case plants, relative to the workspace. */
const VICTIMS = [
  "victim.txt",
  "victim.bin",
  "nest/victim.txt",
  "nest/victim.parquet",
  "nest/deeper/victim.txt",
  "nest/deeper/sub/victim.txt",
];

/** One case's workspace: the pond at `nest/pond`, exports to `out` and `out-at`, canaries around. */
export interface Workspace {
  root: string;
  pondDir: string;
  /** Export targets: created by the commands, not part of the canary tree. */
  exportDirs: string[];
}

export function workspaceAt(root: string): Workspace {
  return {
    root,
    pondDir: join(root, "nest", "pond"),
    exportDirs: [join(root, "out"), join(root, "out-at")],
  };
}

/** A canary file's contents: the secret and where it is. */
export function canaryContent(path: string): Uint8Array {
  return new TextEncoder().encode(`${SECRET} ${path}\n`);
}

/** Plants the canary files (and an empty directory) around the pond. */
export async function plantCanaries(workspace: Workspace): Promise<void> {
  for (const victim of VICTIMS) await plantFile(workspace, victim, canaryContent(victim));
  await mkdir(join(workspace.root, "nest", "deeper", "empty"), { recursive: true });
}

/** Writes a canary file at `path` (relative to the workspace), making its directories. */
export async function plantFile(
  workspace: Workspace,
  path: string,
  content: Uint8Array,
): Promise<string> {
  const absolute = join(workspace.root, path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, content);
  return absolute;
}

/** What a tree holds, path by path (relative), with every file's bytes hashed. */
export type TreeSnapshot = Map<string, string>;

/** Sets every mtime outside the pond old, then snapshots the canary tree. */
export async function ageAndSnapshot(workspace: Workspace): Promise<TreeSnapshot> {
  await walk(workspace, async (path, kind) => {
    if (kind !== "symlink") await utimes(path, LONG_AGO, LONG_AGO);
  });
  return snapshot(workspace);
}

/**
 * The canary tree: everything in the workspace but the pond and the export targets. Directory
 * mtimes are left out (an export target appearing in one changes it).
 */
export async function snapshot(workspace: Workspace): Promise<TreeSnapshot> {
  const found: TreeSnapshot = new Map();
  await walk(workspace, async (path, kind) => {
    const name = relative(workspace.root, path);
    const info = await lstat(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (kind === "directory") found.set(name, `directory ${mode}`);
    else if (kind === "symlink") found.set(name, `symlink -> ${await readlink(path)}`);
    else if (kind === "file") {
      const hash = createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
      found.set(name, `file ${mode} ${info.size} B mtime ${info.mtimeMs} sha256 ${hash}`);
    } else found.set(name, `${kind} ${mode}`);
  });
  return found;
}

/** What changed between two snapshots, one line per path. */
export function treeChanges(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const changes: string[] = [];
  for (const [path, was] of before) {
    const now = after.get(path);
    if (now === undefined) changes.push(`deleted ${path} (${was})`);
    else if (now !== was) changes.push(`changed ${path}: ${was} -> ${now}`);
  }
  for (const [path, now] of after) {
    if (!before.has(path)) changes.push(`created ${path} (${now})`);
  }
  return changes;
}

type Kind = "directory" | "file" | "symlink" | "other";

/** Visits the canary tree without following symlinks or entering the pond or an export. */
async function walk(
  workspace: Workspace,
  visit: (path: string, kind: Kind) => Promise<void>,
): Promise<void> {
  const skipped = new Set([workspace.pondDir, ...workspace.exportDirs]);
  const pending = [workspace.root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (skipped.has(path)) continue;
      const kind: Kind = entry.isDirectory()
        ? "directory"
        : entry.isSymbolicLink()
          ? "symlink"
          : entry.isFile()
            ? "file"
            : "other";
      await visit(path, kind);
      if (kind === "directory") pending.push(path);
    }
  }
}
