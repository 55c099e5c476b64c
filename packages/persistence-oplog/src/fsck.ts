// fsck: checks every version of a pond's tree, every stored byte and every file on disk.

import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type NodeId, PondError, ROOT_ID, sha256Hex } from "@pond/tinyfs";
import { shown } from "@pond/tinyfs/backend";
import { SNAPSHOT_ATTRS } from "./committed-state.js";
import { type DirectoryChange, decodeDirectoryChanges } from "./directory-record.js";
import { hashLargeFile, LARGE_FILES_DIR } from "./large-files.js";
import { DEFAULT_ORPHAN_GRACE_MS } from "./maintenance.js";
import { logEntryFile, tableDir } from "./native.js";
import { openPondTable } from "./open-oplog-fs.js";
import type { InvalidRow, OpLogRow } from "./rows.js";
import { describeGap, type OpLogTable } from "./table.js";

export type FsckProblemKind =
  | "unreadable-data-file"
  | "missing-data-file"
  | "orphan-data-file"
  | "bad-directory-record"
  | "missing-node"
  | "content-mismatch"
  | "missing-large-file"
  | "orphan-large-file"
  /** A row pond cannot use: bad entry type, version, size or content_ref (see row-validation.ts). */
  | "invalid-row"
  /** Two rows of one node with the same version. */
  | "duplicate-version"
  /** A directory entry naming a directory that holds it, however far down. */
  | "directory-cycle"
  /** A directory named by entries in two places: the tree is no longer a tree. */
  | "directory-in-two-places"
  /** Versions missing from `_delta_log` while later ones are there. */
  | "missing-log-entry"
  /** A log entry at a version its writer did not commit it as (entries swapped or renamed). */
  | "misplaced-log-entry"
  /** A log entry whose commit info cannot be used. */
  | "unreadable-log-entry"
  /** An add or remove in the log naming no data file of the table (a hand-made entry). */
  | "bad-log-action"
  /** A symbolic link inside the pond's own directories, which pond never follows. */
  | "symlink"
  /** Something in the pond's own directories that is not what belongs there (e.g. a directory among the large files). */
  | "unexpected-file";

export interface FsckProblem {
  kind: FsckProblemKind;
  /** The pond path concerned, as it was at `version`, when there is one. */
  path?: string;
  /** The pond version at which the problem shows. */
  version?: number;
  /** A file of the table concerned, relative to its root. */
  file?: string;
  detail: string;
}

export interface FsckReport {
  problems: FsckProblem[];
  versions: number;
  rows: number;
  nodes: number;
  largeFiles: number;
}

export interface FsckOptions {
  /** Unreferenced files younger than this are not orphans yet: a commit may be under way (default one hour). */
  orphanGraceMs?: number;
  /** Called with what is being checked. */
  onProgress?: (done: number, total: number) => void;
  /** Settings of the bucket an s3:// pond is in (see `OplogFsOptions.storageOptions`). */
  storageOptions?: Record<string, string>;
}

/** Checks the pond at `path` and reports every problem found; throws only when it cannot be opened. */
export async function fsckOplog(path: string, options: FsckOptions = {}): Promise<FsckReport> {
  const grace = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const table = await openPondTable(path, options.storageOptions);
  try {
    await table.update();
    const problems: FsckProblem[] = [];
    const orphanedBefore = Date.now() - grace;
    const stored = table.inBucket
      ? await storedInBucket(table, problems)
      : await storedOnDisk(table.root, problems);
    for (const gap of await table.logGaps()) {
      problems.push({
        kind: "missing-log-entry",
        version: gap.missing,
        file: logEntryFile(gap.missing),
        detail: describeGap(gap),
      });
    }
    await checkLogOrder(table, problems);
    for (const found of await table.logActionProblems()) {
      problems.push({
        kind: "bad-log-action",
        version: found.version,
        file: logEntryFile(found.version),
        detail: found.problem,
      });
    }
    await checkDataFiles(table, stored.dataFiles, orphanedBefore, problems);
    const invalid: InvalidRow[] = [];
    const mismatched = new WeakSet<OpLogRow>();
    const rows = await readRows(table, problems, invalid, mismatched);
    const locations = new Locations();
    const largeFiles = await checkTree(
      table,
      rows,
      mismatched,
      locations,
      problems,
      options.onProgress,
    );
    for (const { row, problem } of invalid) {
      problems.push({
        kind: "invalid-row",
        version: row.txnSeq,
        ...pathOf(locations, row.nodeId),
        detail: `version ${row.version} of node ${shown(row.nodeId)}: ${problem}`,
      });
    }
    checkDuplicates(rows, locations, problems);
    if (stored.largeFiles) {
      await checkLargeFileOrphans(stored.largeFiles, rows, orphanedBefore, problems);
    }
    return {
      problems,
      versions: table.version + 1,
      rows: rows.length,
      nodes: new Set(rows.map((r) => r.nodeId)).size,
      largeFiles,
    };
  } finally {
    table.close();
  }
}

/** A file in the pond's own directories: its path inside the table, and when it was written. */
interface StoredFile {
  file: string;
  modifiedMs(): Promise<number>;
}

/** The files of the pond's own directories as found, in those that can be looked into. */
interface Stored {
  /** The `.parquet` files of the `part_id=…` directories. */
  dataFiles: StoredFile[];
  /** The large files; undefined when `_large_files` cannot be looked into. */
  largeFiles: StoredFile[] | undefined;
}

/**
 * The files of a pond on disk. Every link inside its own directories (`_delta_log`,
 * `_large_files`, `part_id=…`, and those directories themselves), and what does not belong
 * there, is a problem: none is followed or read.
 */
async function storedOnDisk(root: string, problems: FsckProblem[]): Promise<Stored> {
  const stored: Stored = { dataFiles: [], largeFiles: [] };
  const odd = (entry: Dirent, file: string) => {
    if (entry.isSymbolicLink()) {
      problems.push({ kind: "symlink", file, detail: "a symbolic link inside the pond" });
    } else {
      problems.push({ kind: "unexpected-file", file, detail: "not what belongs here" });
    }
  };
  const found = (file: string): StoredFile => ({
    file,
    modifiedMs: async () => (await lstat(join(root, file)).catch(() => undefined))?.mtimeMs ?? 0,
  });
  for (const dir of await readdir(root, { withFileTypes: true })) {
    const delta: string | null = tableDir(dir.name);
    if (!delta && dir.name !== LARGE_FILES_DIR) continue;
    if (!dir.isDirectory()) {
      odd(dir, dir.name);
      if (dir.name === LARGE_FILES_DIR) stored.largeFiles = undefined;
      continue;
    }
    for (const entry of await readdir(join(root, dir.name), { withFileTypes: true })) {
      const file = `${dir.name}/${entry.name}`;
      // The log may hold directories of its own (delta-rs keeps some); files are what is read.
      const fits = entry.isFile() || (delta === "log" && entry.isDirectory());
      if (!fits) odd(entry, file);
      else if (!entry.isFile()) continue;
      else if (delta === "partition" && entry.name.endsWith(".parquet")) {
        stored.dataFiles.push(found(file));
      } else if (dir.name === LARGE_FILES_DIR) stored.largeFiles?.push(found(file));
    }
  }
  return stored;
}

/** The objects of a pond in a bucket; one deeper than its directories is a problem. */
async function storedInBucket(table: OpLogTable, problems: FsckProblem[]): Promise<Stored> {
  const stored: Stored = { dataFiles: [], largeFiles: [] };
  for (const object of await table.storedObjects()) {
    const [dir = "", ...rest] = object.path.split("/");
    const delta = tableDir(dir);
    if (!delta && dir !== LARGE_FILES_DIR) continue;
    if (rest.length !== 1 && delta !== "log") {
      problems.push({
        kind: "unexpected-file",
        file: object.path,
        detail: "not what belongs here",
      });
      continue;
    }
    const found = { file: object.path, modifiedMs: async () => object.modifiedMs };
    if (delta === "partition" && object.path.endsWith(".parquet")) stored.dataFiles.push(found);
    else if (dir === LARGE_FILES_DIR) stored.largeFiles?.push(found);
  }
  return stored;
}

/**
 * Every log entry is where its writer put it: a writer commits at the version after the one it
 * read, or later when another was first, never at or before it, so an entry that says it read
 * its own version or a later one was moved (log entries swapped or renamed).
 */
async function checkLogOrder(table: OpLogTable, problems: FsckProblem[]): Promise<void> {
  let history: Awaited<ReturnType<OpLogTable["history"]>>;
  try {
    history = await table.history();
  } catch (error) {
    if (!PondError.is(error)) throw error;
    problems.push({ kind: "unreadable-log-entry", detail: error.detail });
    return;
  }
  for (const entry of history) {
    if (entry.readVersion === undefined || entry.readVersion < entry.version) continue;
    problems.push({
      kind: "misplaced-log-entry",
      version: entry.version,
      file: logEntryFile(entry.version),
      detail: `written after version ${entry.readVersion}, not before version ${entry.version}`,
    });
  }
}

/** Every data file a retained version names exists; every data file stored is named. */
async function checkDataFiles(
  table: OpLogTable,
  dataFiles: readonly StoredFile[],
  orphanedBefore: number,
  problems: FsckProblem[],
): Promise<void> {
  const named = new Map((await table.dataFiles()).map((f) => [f.path, f.version]));
  const present = new Set<string>();
  for (const { file, modifiedMs } of dataFiles) {
    present.add(file);
    if (named.has(file)) continue;
    if ((await modifiedMs()) < orphanedBefore) {
      problems.push({
        kind: "orphan-data-file",
        file,
        detail: "no version of the table names it",
      });
    }
  }
  for (const [file, version] of named) {
    if (!present.has(decoded(file)) && !present.has(file)) {
      problems.push({
        kind: "missing-data-file",
        file,
        version,
        detail: "a retained version names it",
      });
    }
  }
}

function decoded(file: string): string {
  try {
    return decodeURIComponent(file);
  } catch {
    return file;
  }
}

/**
 * All valid rows, partition by partition, so that one unreadable file does not hide the rest;
 * the others go to `invalid`.
 */
/**
 * Every row of every partition. A file's inline bytes are checked against its row as they are
 * read and then let go (a row whose bytes do not match goes into `mismatched`), and directory
 * records get their own copy of their bytes, so the table's contents are never all held at once.
 */
async function readRows(
  table: OpLogTable,
  problems: FsckProblem[],
  invalid: InvalidRow[],
  mismatched: WeakSet<OpLogRow>,
): Promise<OpLogRow[]> {
  const rows: OpLogRow[] = [];
  for (const { partId } of await table.partitionStats()) {
    try {
      for (const row of await table.scan(partId, undefined, (found) => invalid.push(found))) {
        if (row.entryType === "directory") row.content = row.content?.slice() ?? null;
        else if (row.contentRef === null) {
          const content = row.content ?? new Uint8Array(0);
          if (content.length !== row.size || sha256Hex(content) !== row.sha256) {
            mismatched.add(row);
          }
          row.content = null;
        }
        rows.push(row);
      }
    } catch (error) {
      if (!PondError.is(error)) throw error;
      problems.push({
        kind: "unreadable-data-file",
        file: `part_id=${partId}`,
        detail: error.message,
      });
    }
  }
  return rows;
}

/** Where each node is in the tree as the versions are replayed: a damaged pond may put one in several places. */
class Locations {
  private readonly at = new Map<NodeId, Array<{ dir: NodeId; name: string }>>();

  bind(dir: NodeId, name: string, node: NodeId): void {
    const places = this.at.get(node) ?? [];
    this.at.set(node, places);
    if (!places.some((p) => p.dir === dir && p.name === name)) places.push({ dir, name });
  }

  unbind(dir: NodeId, name: string, node: NodeId): void {
    const places = this.at.get(node)?.filter((p) => p.dir !== dir || p.name !== name);
    if (places?.length) this.at.set(node, places);
    else this.at.delete(node);
  }

  /** The node's path by its first place; undefined when it has none or the way up loops. */
  path(node: NodeId): string | undefined {
    const names: string[] = [];
    const seen = new Set<NodeId>();
    for (let id = node; id !== ROOT_ID; ) {
      const place = this.at.get(id)?.[0];
      if (!place || seen.has(id)) return undefined;
      seen.add(id);
      names.push(place.name);
      id = place.dir;
    }
    return `/${names.reverse().join("/")}`;
  }

  /** The entry at `dir`/`name`, shown as well as the way up allows. */
  entryPath(dir: NodeId, name: string): string {
    const above = dir === ROOT_ID ? "" : (this.path(dir) ?? `(node ${dir})`);
    return `${above}/${name}`;
  }

  /**
   * What is wrong with directory `node` at `dir`/`name`: that place is inside it (the way up
   * reaches it), or it is somewhere else too. Either way the walks would meet it again and again.
   */
  misplaced(node: NodeId, dir: NodeId, name: string): Omit<FsckProblem, "version"> | undefined {
    const places = this.at.get(node) ?? [];
    if (!places.some((p) => p.dir === dir && p.name === name)) return undefined;
    const path = this.entryPath(dir, name);
    const seen = new Set<NodeId>();
    for (let id = dir; !seen.has(id); id = this.at.get(id)?.[0]?.dir ?? id) {
      seen.add(id);
      if (id === node) {
        return { kind: "directory-cycle", path, detail: `directory ${node} is inside itself` };
      }
    }
    const other = places.find((p) => p.dir !== dir || p.name !== name);
    if (!other) return undefined;
    return {
      kind: "directory-in-two-places",
      path,
      detail: `directory ${node} is also at ${this.entryPath(other.dir, other.name)}`,
    };
  }
}

/**
 * Replays every version: each directory change must name a node that exists by
 * then, and each file version's bytes must match its size and sha256.
 */
async function checkTree(
  table: OpLogTable,
  rows: OpLogRow[],
  mismatched: WeakSet<OpLogRow>,
  locations: Locations,
  problems: FsckProblem[],
  onProgress: FsckOptions["onProgress"],
): Promise<number> {
  const firstSeq = new Map<NodeId, number>();
  for (const row of rows) {
    firstSeq.set(row.nodeId, Math.min(firstSeq.get(row.nodeId) ?? row.txnSeq, row.txnSeq));
  }
  const byVersion = new Map<number, OpLogRow[]>();
  for (const row of rows) {
    const list = byVersion.get(row.txnSeq) ?? [];
    byVersion.set(row.txnSeq, list);
    list.push(row);
  }
  const listings = new Map<NodeId, Map<string, NodeId>>();
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  let largeFiles = 0;
  for (const [i, version] of versions.entries()) {
    onProgress?.(i, versions.length);
    const changed = (byVersion.get(version) ?? []).sort((a, b) => a.version - b.version);
    const boundDirs: Array<{ node: NodeId; dir: NodeId; name: string }> = [];
    for (const row of changed) {
      if (row.entryType !== "directory" || row.nodeId !== row.partId) continue;
      let changes: DirectoryChange[];
      try {
        changes = row.content ? decodeDirectoryChanges(row) : [];
      } catch (error) {
        if (!PondError.is(error)) throw error;
        problems.push({
          kind: "bad-directory-record",
          version,
          ...pathOf(locations, row.nodeId),
          detail: error.detail,
        });
        continue;
      }
      const listing = listings.get(row.nodeId) ?? new Map<string, NodeId>();
      listings.set(row.nodeId, listing);
      if (row.attrs === SNAPSHOT_ATTRS) {
        const kept = new Set(changes.map((c) => c.name));
        for (const [name, child] of listing) {
          if (!kept.has(name)) locations.unbind(row.nodeId, name, child);
        }
        listing.clear();
      }
      for (const change of changes) {
        const previous = listing.get(change.name);
        if (previous) locations.unbind(row.nodeId, change.name, previous);
        if (!change.entry) {
          listing.delete(change.name);
          continue;
        }
        listing.set(change.name, change.entry.nodeId);
        locations.bind(row.nodeId, change.name, change.entry.nodeId);
        if (change.entry.entryType === "directory") {
          boundDirs.push({ node: change.entry.nodeId, dir: row.nodeId, name: change.name });
        }
        const first = firstSeq.get(change.entry.nodeId);
        if (first === undefined || first > version) {
          problems.push({
            kind: "missing-node",
            version,
            ...pathOf(locations, change.entry.nodeId),
            detail: `names node ${change.entry.nodeId}, which has no version by then`,
          });
        }
      }
    }
    // Checked once the whole version is applied: a move binds the new place before or after
    // it unbinds the old one.
    for (const { node, dir, name } of boundDirs) {
      const misplaced = locations.misplaced(node, dir, name);
      if (misplaced) problems.push({ ...misplaced, version });
    }
    for (const row of changed) {
      if (row.entryType === "directory") continue;
      if (row.contentRef !== null) largeFiles++;
      const mismatch = await contentProblem(table, row, mismatched);
      if (mismatch) problems.push({ ...mismatch, version, ...pathOf(locations, row.nodeId) });
    }
  }
  onProgress?.(versions.length, versions.length);
  return largeFiles;
}

function pathOf(locations: Locations, node: NodeId): { path?: string } {
  const path = locations.path(node);
  return path === undefined ? {} : { path };
}

async function contentProblem(
  table: OpLogTable,
  row: OpLogRow,
  mismatched: WeakSet<OpLogRow>,
): Promise<Omit<FsckProblem, "version" | "path"> | undefined> {
  const what = `version ${row.version} of node ${row.nodeId}`;
  if (row.contentRef === null) {
    if (!mismatched.has(row)) return undefined;
    return {
      kind: "content-mismatch",
      detail: `${what}: stored bytes do not match size and sha256`,
    };
  }
  const file = row.contentRef;
  let hashed: Awaited<ReturnType<typeof hashLargeFile>>;
  try {
    hashed = table.inBucket
      ? await hashBucketLargeFile(table, file)
      : await hashLargeFile(table.root, file, row.size);
  } catch (error) {
    if (!PondError.is(error)) throw error;
    return { kind: "missing-large-file", file, detail: `${what} refers to it: ${error.detail}` };
  }
  if (!hashed) return { kind: "missing-large-file", file, detail: `${what} refers to it` };
  if (hashed.size !== row.size || hashed.sha256 !== row.sha256) {
    return {
      kind: "content-mismatch",
      file,
      detail: `${what}: the file does not match size and sha256`,
    };
  }
  return undefined;
}

async function hashBucketLargeFile(
  table: OpLogTable,
  ref: string,
): Promise<{ size: number; sha256: string } | undefined> {
  const bytes = await table.readLargeFile(ref.slice(LARGE_FILES_DIR.length + 1));
  return bytes ? { size: bytes.length, sha256: sha256Hex(bytes) } : undefined;
}

/** Two rows of one node with the same version: the later one would silently replace the first. */
function checkDuplicates(rows: OpLogRow[], locations: Locations, problems: FsckProblem[]): void {
  const seen = new Map<string, number>();
  const ordered = [...rows].sort((a, b) => a.txnSeq - b.txnSeq);
  for (const row of ordered) {
    const key = `${row.nodeId}\0${row.version}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, row.txnSeq);
      continue;
    }
    problems.push({
      kind: "duplicate-version",
      version: row.txnSeq,
      ...pathOf(locations, row.nodeId),
      detail: `version ${row.version} of node ${shown(row.nodeId)} again (first in version ${first})`,
    });
  }
}

async function checkLargeFileOrphans(
  largeFiles: readonly StoredFile[],
  rows: OpLogRow[],
  orphanedBefore: number,
  problems: FsckProblem[],
): Promise<void> {
  const referenced = new Set(rows.map((r) => r.contentRef).filter((r) => r !== null));
  for (const { file, modifiedMs } of largeFiles) {
    if (referenced.has(file)) continue;
    if ((await modifiedMs()) < orphanedBefore) {
      problems.push({ kind: "orphan-large-file", file, detail: "no version refers to it" });
    }
  }
}
