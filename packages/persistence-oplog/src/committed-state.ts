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

/** A file's or symlink's versions known so far. */
interface NodeVersions {
  versions: StoredVersion[];
  /** Whether `versions` starts at the node's first version, or only at its newest. */
  complete: boolean;
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
  private readonly nodes = new Map<NodeId, NodeVersions>();
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
    if (cached?.complete) return cached.versions;
    if (this.loadedPartitions.has(partId) || (!cached && this.goingThrough(partId))) {
      await this.loadPartition(partId);
      return this.nodes.get(nodeId)?.versions ?? this.knownNew(nodeId);
    }
    const versions = this.storedRows(await this.table.scan(partId, nodeId), nodeId);
    this.nodes.set(nodeId, { versions, complete: true });
    return versions;
  }

  /**
   * A node's newest committed version. In a bucket, where each data file is a request, its
   * older history is not read: the two newest files that hold the node give its two newest rows
   * (the one before shows a newest row that reuses a version; rows reusing older ones show when
   * the history is read). On disk the whole history is read, so every reused version shows.
   */
  async newest(nodeId: NodeId, partId: NodeId): Promise<StoredVersion | undefined> {
    if (nodeId === partId) return (await this.directory(nodeId)).versions.at(-1);
    const cached = this.nodes.get(nodeId);
    if (cached) return cached.versions.at(-1);
    if (!this.table.inBucket || this.loadedPartitions.has(partId) || this.goingThrough(partId)) {
      return (await this.versions(nodeId, partId)).at(-1);
    }
    const versions = this.storedRows(await this.table.scanTail(partId, nodeId, null), nodeId);
    const complete = (versions[0]?.meta.version ?? 1) === 1;
    this.nodes.set(nodeId, { versions, complete });
    return versions.at(-1);
  }

  /** Version `version` of a node, reading its older history only when it is not at hand. */
  async stored(
    nodeId: NodeId,
    partId: NodeId,
    version: number,
  ): Promise<StoredVersion | undefined> {
    const known = this.nodes.get(nodeId)?.versions.find((v) => v.meta.version === version);
    if (known) return known;
    return (await this.versions(nodeId, partId)).find((v) => v.meta.version === version);
  }

  /** `rows`' versions of node `nodeId`, oldest first; their contents go to the cache. */
  private storedRows(rows: readonly OpLogRow[], nodeId: NodeId): StoredVersion[] {
    const own = rows.filter((row) => row.nodeId === nodeId).sort((a, b) => a.version - b.version);
    checkUniqueVersions(own);
    return own.map((row) => {
      this.remember(row);
      return storedVersion(row);
    });
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
    let known = this.nodes.get(nodeId);
    if (!known) {
      known = { versions: [], complete: true };
      this.nodes.set(nodeId, known);
    }
    return known.versions;
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
      if (this.nodes.get(nodeId)?.complete) continue;
      rows.sort((a, b) => a.version - b.version);
      checkUniqueVersions(rows);
      this.nodes.set(nodeId, { versions: rows.map(storedVersion), complete: true });
    }
    this.loadedPartitions.add(partId);
  }

  /** The inline content of a stored version (large files are read where they are). */
  async content(nodeId: NodeId, partId: NodeId, version: number): Promise<Uint8Array | undefined> {
    const stored = await this.stored(nodeId, partId, version);
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
   * The names whose binding directory record `row` changes, as of the listing loaded (before
   * `row` is applied). A snapshot rewrites the whole listing, so it is compared with the loaded
   * one, and counts as changing every name when none is loaded.
   */
  changedNames(row: OpLogRow): readonly string[] | "all" {
    if (!row.content) return "all";
    const changes = decodeDirectoryChanges(row);
    if (row.attrs !== SNAPSHOT_ATTRS) return changes.map((c) => c.name);
    const before = this.dirs.get(row.nodeId)?.entries;
    if (!before) return "all";
    const after = new Set(changes.map((c) => c.name));
    const changed = changes.filter((c) => !sameEntry(before.get(c.name), c.entry));
    return [
      ...changed.map((c) => c.name),
      ...[...before.keys()].filter((name) => !after.has(name)),
    ];
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
      const known = this.nodes.get(row.nodeId);
      if (known) {
        checkNewer(known.versions, row);
        known.versions.push(stored);
      } else if (this.loadedPartitions.has(row.partId)) {
        this.nodes.set(row.nodeId, { versions: [stored], complete: true });
      }
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

function sameEntry(a: DirEntry | undefined, b: DirEntry | null): boolean {
  return a?.nodeId === b?.nodeId && a?.partId === b?.partId && a?.entryType === b?.entryType;
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
