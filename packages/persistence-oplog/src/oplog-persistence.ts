// OpLogPersistence: the PersistenceLayer on a Delta Lake op-log table.

import { randomUUID } from "node:crypto";
import {
  type CommitInfo,
  type CommitMeta,
  type DirEntry,
  type NodeId,
  type NodeMetadata,
  PondError,
} from "@pond/tinyfs";
import {
  type ChangeSet,
  checkConcurrentCommit,
  type IncomingContent,
  type MaybePromise,
  type PersistenceLayer,
  type StoredContent,
} from "@pond/tinyfs/backend";
import { openInBucket, storeInBucket, storeInBucketFrom } from "./bucket-large-files.js";
import { CommittedState, type DirectoryState, SNAPSHOT_ATTRS } from "./committed-state.js";
import { type DirectoryChange, encodeDirectoryRecords } from "./directory-record.js";
import { LargeFileClaims } from "./large-file-claims.js";
import {
  LARGE_FILE_THRESHOLD,
  openLargeFile,
  storeLargeFile,
  storeLargeFileFrom,
} from "./large-files.js";
import { StoredContentLocation } from "./query-engine.js";
import type { OpLogRow } from "./rows.js";
import type { OpLogTable, PondCommitInfo, TableVersionInfo } from "./table.js";

/** Beyond this many new versions, dropping the caches is cheaper than catching up. */
const MAX_CATCH_UP = 64;

/**
 * How many records a directory writes at most between full-listing snapshots, by default, and
 * how many entries per record a snapshot may cost.
 */
export const DIRECTORY_SNAPSHOT_INTERVAL = 64;

export interface OpLogPersistenceOptions {
  /** Stay at the loaded version (time travel) instead of following new commits. */
  pinned?: boolean;
}

/** The table property holding the snapshot interval, so every writer of a pond uses the same. */
export const SNAPSHOT_INTERVAL_PROPERTY = "pond.directorySnapshotInterval";

export class OpLogPersistence implements PersistenceLayer {
  private readonly state: CommittedState;
  /** The large files the open transaction stored, taken back if it does not commit them. */
  private readonly largeFiles = new LargeFileClaims();
  private historyCache: TableVersionInfo[] = [];
  private lastTimestamp = 0;
  private closed = false;
  /** The table version that reads and caches reflect. */
  private version: number;
  private readonly snapshotInterval: number;

  constructor(
    private readonly table: OpLogTable,
    private readonly options: OpLogPersistenceOptions = {},
  ) {
    this.state = new CommittedState(table);
    this.version = table.version;
    const interval = Number(table.properties()[SNAPSHOT_INTERVAL_PROPERTY]);
    this.snapshotInterval =
      Number.isInteger(interval) && interval > 0 ? interval : DIRECTORY_SNAPSHOT_INTERVAL;
  }

  begin(): MaybePromise<number> {
    if (this.options.pinned) return this.version;
    return this.table
      .update()
      .then((latest) => this.catchUp(latest))
      .then(() => this.version);
  }

  async node(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata | undefined> {
    return (await this.state.newest(nodeId, partId))?.meta;
  }

  async versions(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata[]> {
    return (await this.state.versions(nodeId, partId)).map((v) => v.meta);
  }

  directory(dirId: NodeId): MaybePromise<ReadonlyMap<string, DirEntry>> {
    const cached = this.state.cachedDirectory(dirId);
    if (cached) return cached.entries;
    return this.state.directory(dirId).then((state) => state.entries);
  }

  async readContent(
    version: NodeMetadata,
    ref?: string,
  ): Promise<Uint8Array | ReadableStream<Uint8Array>> {
    const { nodeId, partId, sha256, size } = version;
    const stored = ref ? undefined : await this.state.stored(nodeId, partId, version.version);
    const large = ref ?? stored?.contentRef;
    if (large && this.table.inBucket) return openInBucket(this.table, large, sha256, size);
    if (large) return openLargeFile(this.table.root, large, sha256, size);
    const content = stored && (await this.state.content(nodeId, partId, version.version));
    if (!content) throw new PondError("ENOENT", `no version ${version.version}`);
    return content;
  }

  /** Where the native query engine reads a version's content: its row, or its large file. */
  async locateContent(
    version: NodeMetadata,
    ref?: string,
  ): Promise<StoredContentLocation | undefined> {
    // An empty content is no row's to give: the engine is handed its (no) bytes.
    if (version.size === 0) return undefined;
    const { nodeId, partId } = version;
    const large = ref ?? (await this.state.stored(nodeId, partId, version.version))?.contentRef;
    return new StoredContentLocation(this.table, version, large ?? undefined);
  }

  storeContent(content: IncomingContent): MaybePromise<StoredContent> {
    if (!("bytes" in content)) {
      if (this.table.inBucket) return storeInBucketFrom(this.table, content.stream);
      return storeLargeFileFrom(this.table.root, content.stream, this.largeFiles);
    }
    const { bytes, sha256 } = content;
    const size = bytes.length;
    if (size < LARGE_FILE_THRESHOLD) return { size, sha256, bytes };
    const stored = this.table.inBucket
      ? storeInBucket(this.table, sha256, bytes)
      : storeLargeFile(this.table.root, sha256, bytes, this.largeFiles);
    return stored.then((ref) => ({
      size,
      sha256,
      ref,
    }));
  }

  async commit(changes: ChangeSet, meta: CommitMeta): Promise<CommitInfo | undefined> {
    try {
      return await this.commitChanges(changes, meta);
    } finally {
      // Whatever was not committed (all of it when the commit failed) goes at once.
      await this.largeFiles.release(this.table.root);
    }
  }

  async history(): Promise<CommitInfo[]> {
    return (await this.tableHistory()).map(commitInfo);
  }

  async atVersion(version: number): Promise<PersistenceLayer> {
    const view = await this.table.reopen(version).catch(async (error: unknown) => {
      const oldest = await this.table.oldestVersion();
      if (version < oldest) {
        throw new PondError(
          "EINVAL",
          `version ${version} is older than the retained history (the oldest is ${oldest})`,
          { cause: error },
        );
      }
      throw error;
    });
    return new OpLogPersistence(view, { pinned: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.clear();
    try {
      await this.table.settleCheckpoint();
    } finally {
      this.table.close();
    }
  }

  /** The table's history with pond's commit info, cached: history never changes. */
  async tableHistory(): Promise<TableVersionInfo[]> {
    if (this.historyCache.length !== this.version + 1) {
      const all = await this.table.history();
      this.historyCache = all.filter((h) => h.version <= this.version);
    }
    return this.historyCache;
  }

  private async commitChanges(
    changes: ChangeSet,
    meta: CommitMeta,
  ): Promise<CommitInfo | undefined> {
    if (changes.rows === 0) return undefined;
    const txnId = randomUUID();
    for (;;) {
      const version = this.version + 1;
      const timestamp = Math.max(Date.now(), this.lastTimestamp);
      const rows = await this.buildRows(changes, version, timestamp);
      const info: PondCommitInfo = {
        txnId,
        timestamp,
        rows: rows.length,
        partitions: changes.partitions,
        ...(meta.message !== undefined && { message: meta.message }),
        ...(meta.meta && { meta: meta.meta }),
      };
      if (await this.table.commit(rows, version, info)) {
        await this.largeFiles.release(this.table.root, new Set(rows.map((row) => row.contentRef)));
        // New nodes have no older versions: their rows start lists of their own.
        for (const [nodeId, staged] of changes.nodes) {
          if (staged[0]?.meta.version === 1) this.state.knownNew(nodeId);
        }
        this.state.apply(rows);
        this.version = version;
        this.lastTimestamp = timestamp;
        return commitInfo({ version, timestamp, pond: info });
      }
      await this.rebase(changes);
    }
  }

  /**
   * Another writer committed first: read what it changed and go on only if
   * none of it touches what this transaction read or wrote.
   */
  private async rebase(changes: ChangeSet): Promise<void> {
    const to = await this.table.update();
    for (let version = this.version + 1; version <= to; version++) {
      const rows = await this.table.rowsOf(version);
      const directories: Array<[NodeId, readonly string[] | "all"]> = [];
      const nodes: NodeId[] = [];
      for (const row of rows) {
        if (row.entryType !== "directory") nodes.push(row.nodeId);
        else directories.push([row.nodeId, this.state.changedNames(row)]);
      }
      checkConcurrentCommit(changes, { version, directories, nodes });
      this.state.apply(rows);
      this.noteTimestamp(rows);
      this.version = version;
    }
  }

  /** Brings the caches from the version they reflect to the table's new one. */
  private async catchUp(latest: number): Promise<void> {
    if (latest === this.version) return;
    if (latest - this.version > MAX_CATCH_UP || latest < this.version) {
      this.state.clear();
      this.version = latest;
      return;
    }
    for (let version = this.version + 1; version <= latest; version++) {
      const rows = await this.table.rowsOf(version);
      this.state.apply(rows);
      this.noteTimestamp(rows);
      this.version = version;
    }
  }

  private noteTimestamp(rows: readonly OpLogRow[]): void {
    for (const row of rows) this.lastTimestamp = Math.max(this.lastTimestamp, row.timestamp);
  }

  private async buildRows(
    changes: ChangeSet,
    version: number,
    timestamp: number,
  ): Promise<OpLogRow[]> {
    const rows: OpLogRow[] = [];
    for (const staged of changes.nodes.values()) {
      for (const { meta, content, ref } of staged) {
        rows.push({
          partId: meta.partId,
          nodeId: meta.nodeId,
          entryType: meta.entryType,
          version: meta.version,
          txnSeq: version,
          timestamp,
          content: ref ? null : content,
          contentRef: ref ?? null,
          size: meta.size,
          sha256: meta.sha256,
          minEventTime: meta.minEventTime ?? null,
          maxEventTime: meta.maxEventTime ?? null,
          attrs: meta.attrs ? JSON.stringify(meta.attrs) : null,
        });
      }
    }
    const records: DirectoryChange[][] = [];
    const recordRows: OpLogRow[] = [];
    for (const [dirId, names] of changes.directories) {
      const committed = changes.created.has(dirId) ? undefined : await this.state.directory(dirId);
      const changed: DirectoryChange[] = [];
      let size = committed?.entries.size ?? 0;
      for (const [name, entry] of names) {
        const existed = committed?.entries.has(name) ?? false;
        changed.push(
          entry
            ? { name, op: existed ? "update" : "insert", entry }
            : { name, op: "delete", entry: null },
        );
        size += entry ? (existed ? 0 : 1) : -1;
      }
      // The record is the whole listing when that costs at most `snapshotInterval` entries per
      // record since the last one: each time in a small directory, every `snapshotInterval`
      // records in a large one. Replay never goes further back, and reads a record's file each.
      const since = (committed?.sinceSnapshot ?? 0) + 1;
      const snapshot = since >= this.snapshotInterval || size <= this.snapshotInterval * since;
      records.push(snapshot ? listingAfter(committed, names) : changed);
      recordRows.push({
        partId: dirId,
        nodeId: dirId,
        entryType: "directory",
        version: (committed?.versions.at(-1)?.meta.version ?? 0) + 1,
        txnSeq: version,
        timestamp,
        content: null,
        contentRef: null,
        size,
        sha256: "",
        minEventTime: null,
        maxEventTime: null,
        attrs: snapshot ? SNAPSHOT_ATTRS : null,
      });
    }
    const contents = encodeDirectoryRecords(records);
    for (const [i, row] of recordRows.entries())
      rows.push({ ...row, content: contents[i] ?? null });
    return groupByPartition(rows);
  }
}

/** A directory's whole listing after `names` change, sorted by name, as a snapshot record's inserts. */
function listingAfter(
  committed: DirectoryState | undefined,
  names: ReadonlyMap<string, DirEntry | null>,
): DirectoryChange[] {
  const entries = new Map(committed?.entries);
  for (const [name, entry] of names) {
    if (entry) entries.set(name, entry);
    else entries.delete(name);
  }
  return [...entries.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, op: "insert", entry: entries.get(name) as DirEntry }));
}

/** Rows of one partition side by side: the addon writes each partition's file from slices. */
function groupByPartition(rows: OpLogRow[]): OpLogRow[] {
  const groups = new Map<string, OpLogRow[]>();
  for (const row of rows) {
    const group = groups.get(row.partId);
    if (group) group.push(row);
    else groups.set(row.partId, [row]);
  }
  return groups.size === 1 ? rows : [...groups.values()].flat();
}

/** How versions that pond's maintenance wrote (no pond commit info) show in the history. */
const MAINTENANCE_MESSAGES: Record<string, string> = {
  OPTIMIZE: "maintenance: compaction (no data changed)",
  "SET TBLPROPERTIES": "maintenance: settings changed",
};

function commitInfo(entry: TableVersionInfo): CommitInfo {
  const pond = entry.pond;
  const info: CommitInfo = {
    version: entry.version,
    timestamp: new Date(pond?.timestamp ?? entry.timestamp),
  };
  if (entry.version === 0) info.message = "create pond";
  else if (!pond) info.message = MAINTENANCE_MESSAGES[entry.operation ?? ""] ?? "maintenance";
  if (pond?.message !== undefined) info.message = pond.message;
  if (pond?.meta) info.meta = pond.meta;
  if (pond) {
    info.rows = pond.rows;
    info.partitions = pond.partitions;
  }
  return info;
}
