// What the table holds at one version, loaded partition by partition and kept current incrementally.

import {
  type DirEntry,
  type EntryType,
  type NodeId,
  type NodeMetadata,
  PondError,
  sha256Hex,
} from "@pond/tinyfs";
import {
  type DirectoryChange,
  decodeDirectoryChanges,
  decodeDirectoryRecords,
} from "./directory-record.js";
import { checkUniqueVersions, duplicateVersion } from "./row-validation.js";
import type { OpLogRow } from "./rows.js";
import type { OpLogTable } from "./table.js";

export interface StoredVersion {
  meta: NodeMetadata;
  contentRef: string | null;
}

export interface DirectoryState {
  entries: Map<string, DirEntry>;
  /** From the newest full-listing snapshot on, or all of them once `complete`. */
  versions: StoredVersion[];
  /** Whether `versions` starts at the directory's first version. */
  complete: boolean;
  /** Records written since the newest full-listing snapshot (all of them if none). */
  sinceSnapshot: number;
}

/** The attrs that mark a directory record as a full listing rather than changes. */
export const SNAPSHOT_ATTRS = JSON.stringify({ "pond.directory": "snapshot" });

const CONTENT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Nodes of one partition looked up one by one before the whole partition's metadata is read at
 * once: someone is going through a directory, and a lookup in a large commit's file decodes
 * its whole row group for one row.
 */
const LOOKUPS_BEFORE_PARTITION_LOAD = 16;
/** Lookups count toward that within this long of the first: occasional reads load nothing. */
const LOOKUP_WINDOW_MS = 1000;

export function rowMetadata(row: OpLogRow): NodeMetadata {
  const meta: NodeMetadata = {
    nodeId: row.nodeId,
    partId: row.partId,
    entryType: row.entryType as EntryType,
    version: row.version,
    size: row.size,
    sha256: row.sha256,
    timestamp: new Date(row.timestamp),
    txnSeq: row.txnSeq,
  };
  if (row.minEventTime !== null) meta.minEventTime = row.minEventTime;
  if (row.maxEventTime !== null) meta.maxEventTime = row.maxEventTime;
  if (row.attrs !== null) meta.attrs = JSON.parse(row.attrs) as Record<string, string>;
  return meta;
}

function storedVersion(row: OpLogRow): StoredVersion {
  return { meta: rowMetadata(row), contentRef: row.contentRef };
}

/**
 * Directory listings and node version lists as of the table's loaded
 * version. Everything here is immutable history, so entries stay valid as
 * long as every later version is applied in order.
 */
export class CommittedState {
  private readonly dirs = new Map<NodeId, DirectoryState>();
  private readonly nodes = new Map<NodeId, StoredVersion[]>();
  /** Partitions whose every node is in `nodes`, and the single lookups made in the others. */
  private readonly loadedPartitions = new Set<NodeId>();
  private readonly lookups = new Map<NodeId, { count: number; since: number }>();
  private readonly contents = new Map<string, Uint8Array>();
  private contentBytes = 0;

  constructor(private readonly table: OpLogTable) {}

  /** The directory's state if it is loaded already. */
  cachedDirectory(dirId: NodeId): DirectoryState | undefined {
    return this.dirs.get(dirId);
  }

  /**
   * The directory's listing, replayed from its newest full-listing snapshot, which is as far
   * back as the table is read: the older records only matter to `versions`.
   */
  async directory(dirId: NodeId): Promise<DirectoryState> {
    const cached = this.dirs.get(dirId);
    if (cached) return cached;
    const rows = directoryRows(await this.table.scanTail(dirId, dirId, SNAPSHOT_ATTRS), dirId);
    let start = 0;
    for (let i = rows.length - 1; i >= 0; i--) {
      if (rows[i]?.attrs === SNAPSHOT_ATTRS) {
        start = i;
        break;
      }
    }
    const replay = rows.slice(start);
    const state: DirectoryState = {
      entries: new Map(),
      versions: [],
      complete: (replay[0]?.version ?? 1) === 1,
      sinceSnapshot: 0,
    };
    const changes = decodeDirectoryRecords(replay);
    for (const [i, row] of replay.entries()) applyDirectoryRow(state, row, changes[i] ?? []);
    this.dirs.set(dirId, state);
    return state;
  }

  /** Every committed version of a node, oldest first. */
  async versions(nodeId: NodeId, partId: NodeId): Promise<StoredVersion[]> {
    if (nodeId === partId) return this.directoryVersions(nodeId);
    const cached = this.nodes.get(nodeId);
    if (cached) return cached;
    if (this.loadedPartitions.has(partId) || this.goingThrough(partId)) {
      await this.loadPartition(partId);
      return this.nodes.get(nodeId) ?? this.knownNew(nodeId);
    }
    const rows = (await this.table.scan(partId, nodeId))
      .filter((row) => row.nodeId === nodeId)
      .sort((a, b) => a.version - b.version);
    checkUniqueVersions(rows);
    const versions = rows.map((row) => {
      this.remember(row);
      return storedVersion(row);
    });
    this.nodes.set(nodeId, versions);
    return versions;
  }

  /** A node's newest committed version; for a directory, without reading its older history. */
  async newest(nodeId: NodeId, partId: NodeId): Promise<StoredVersion | undefined> {
    const versions =
      nodeId === partId
        ? (await this.directory(nodeId)).versions
        : await this.versions(nodeId, partId);
    return versions[versions.length - 1];
  }

  private async directoryVersions(dirId: NodeId): Promise<StoredVersion[]> {
    const state = await this.directory(dirId);
    if (state.complete) return state.versions;
    const first = state.versions[0]?.meta.version ?? Number.POSITIVE_INFINITY;
    const older = directoryRows(await this.table.scan(dirId, dirId), dirId)
      .filter((row) => row.version < first)
      .map((row) => ({ meta: rowMetadata(row), contentRef: null }));
    if (!state.complete) {
      state.versions.unshift(...older);
      state.complete = true;
    }
    return state.versions;
  }

  /** Records that a node has no committed versions (it was just created). */
  knownNew(nodeId: NodeId): StoredVersion[] {
    let versions = this.nodes.get(nodeId);
    if (!versions) {
      versions = [];
      this.nodes.set(nodeId, versions);
    }
    return versions;
  }

  /** Counts a single lookup in `partId`: whether enough came close together to read it whole. */
  private goingThrough(partId: NodeId): boolean {
    const now = performance.now();
    let lookups = this.lookups.get(partId);
    if (!lookups || now - lookups.since > LOOKUP_WINDOW_MS) {
      lookups = { count: 0, since: now };
      this.lookups.set(partId, lookups);
    }
    lookups.count++;
    return lookups.count > LOOKUPS_BEFORE_PARTITION_LOAD;
  }

  /** Every node's versions of partition `partId` (metadata only), from one scan. */
  private async loadPartition(partId: NodeId): Promise<void> {
    if (this.loadedPartitions.has(partId)) return;
    const found = new Map<NodeId, OpLogRow[]>();
    for (const row of await this.table.scanMetadata(partId)) {
      if (row.nodeId === partId) continue; // the directory's own records
      const rows = found.get(row.nodeId);
      if (rows) rows.push(row);
      else found.set(row.nodeId, [row]);
    }
    for (const [nodeId, rows] of found) {
      if (this.nodes.has(nodeId)) continue;
      rows.sort((a, b) => a.version - b.version);
      checkUniqueVersions(rows);
      this.nodes.set(nodeId, rows.map(storedVersion));
    }
    this.loadedPartitions.add(partId);
  }

  /** The inline content of a stored version (large files are read where they are). */
  async content(nodeId: NodeId, partId: NodeId, version: number): Promise<Uint8Array | undefined> {
    const stored = (await this.versions(nodeId, partId)).find((v) => v.meta.version === version);
    if (!stored) return undefined;
    const key = `${nodeId}:${version}`;
    let content = this.contents.get(key);
    if (content) {
      this.contents.delete(key);
      this.contents.set(key, content);
    } else {
      // Whoever reads one file of a directory often reads the next: its neighbours are cached.
      const rows = await this.table.scanNeighbours(partId, nodeId);
      for (const row of rows) if (row.nodeId !== partId) this.remember(row);
      const row = rows.find((r) => r.nodeId === nodeId && r.version === version);
      content = row?.content ?? new Uint8Array(0);
      this.remember({ nodeId, version, content } as OpLogRow);
    }
    if (sha256Hex(content) !== stored.meta.sha256) {
      throw new PondError(
        "CORRUPT",
        `content of node ${nodeId} version ${version} does not match its sha256 (partition part_id=${partId})`,
      );
    }
    return content;
  }

  /**
   * Applies the rows of the next table version to whatever is loaded; CORRUPT when one repeats a
   * version already known (it would replace it silently).
   */
  apply(rows: readonly OpLogRow[]): void {
    const ordered = [...rows].sort((a, b) => a.version - b.version);
    for (const row of ordered) {
      if (row.entryType === "directory") {
        const state = this.dirs.get(row.nodeId);
        if (state) {
          checkNewer(state.versions, row);
          applyDirectoryRow(state, row);
        }
        continue;
      }
      const stored = storedVersion(row);
      const versions = this.nodes.get(row.nodeId);
      if (versions) {
        checkNewer(versions, row);
        versions.push(stored);
      } else if (this.loadedPartitions.has(row.partId)) this.nodes.set(row.nodeId, [stored]);
      this.remember(row);
    }
  }

  clear(): void {
    this.dirs.clear();
    this.nodes.clear();
    this.loadedPartitions.clear();
    this.lookups.clear();
    this.contents.clear();
    this.contentBytes = 0;
  }

  private remember(row: Pick<OpLogRow, "nodeId" | "version" | "content">): void {
    const content = row.content;
    const key = `${row.nodeId}:${row.version}`;
    if (!content || content.length > CONTENT_CACHE_BYTES / 64 || this.contents.has(key)) return;
    this.contents.set(key, content);
    this.contentBytes += content.length;
    while (this.contentBytes > CONTENT_CACHE_BYTES) {
      const [oldest, bytes] = this.contents.entries().next().value as [string, Uint8Array];
      this.contents.delete(oldest);
      this.contentBytes -= bytes.length;
    }
  }
}

/** CORRUPT unless `row` comes after the newest of `versions`. */
function checkNewer(versions: readonly StoredVersion[], row: OpLogRow): void {
  const newest = versions[versions.length - 1]?.meta;
  if (newest && newest.version >= row.version) {
    throw duplicateVersion(row, newest.txnSeq ?? 0);
  }
}

function applyDirectoryRow(
  state: DirectoryState,
  row: OpLogRow,
  changes: readonly DirectoryChange[] = row.content ? decodeDirectoryChanges(row) : [],
): void {
  if (row.attrs === SNAPSHOT_ATTRS) {
    state.entries.clear();
    state.sinceSnapshot = 0;
  } else {
    state.sinceSnapshot++;
  }
  for (const change of changes) {
    if (change.entry) state.entries.set(change.name, change.entry);
    else state.entries.delete(change.name);
  }
  state.versions.push({ meta: rowMetadata(row), contentRef: null });
}

/** A directory's own records among a partition's rows, oldest first; CORRUPT if one repeats a version. */
function directoryRows(rows: OpLogRow[], dirId: NodeId): OpLogRow[] {
  const records = rows
    .filter((row) => row.nodeId === dirId && row.entryType === "directory")
    .sort((a, b) => a.version - b.version);
  checkUniqueVersions(records);
  return records;
}
