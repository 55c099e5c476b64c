// OpLogPersistence: the PersistenceLayer on a Delta Lake op-log table.

import { randomUUID } from "node:crypto";
import {
  andThen,
  type CommitInfo,
  type CommitMeta,
  ContentArena,
  type DirEntry,
  type DirectoryOperation,
  joinPath,
  type MaybePromise,
  type NodeId,
  type NodeMetadata,
  type NodeStreamWrite,
  type NodeWrite,
  nextVersionMetadata,
  PendingChanges,
  type PersistenceLayer,
  PondError,
  READ_SIZES,
  ROOT_ID,
  rootMetadata,
  STORE_SIZES,
  type StagedVersion,
} from "@pond/tinyfs";
import { CommittedState, SNAPSHOT_ATTRS, sortedEntries } from "./committed-state.js";
import {
  type DirectoryChange,
  decodeDirectoryChanges,
  encodeDirectoryRecords,
} from "./directory-record.js";
import { LargeFileClaims } from "./large-file-claims.js";
import {
  LARGE_FILE_THRESHOLD,
  openLargeFile,
  readLargeFile,
  storeLargeFile,
  storeLargeFileFrom,
} from "./large-files.js";
import { ReadSet } from "./read-set.js";
import { shown } from "./row-validation.js";
import type { OpLogRow } from "./rows.js";
import { OpLogTable, type PondCommitInfo, type TableVersionInfo } from "./table.js";

/** Beyond this many new versions, dropping the caches is cheaper than catching up. */
const MAX_CATCH_UP = 64;
const EMPTY = new Uint8Array(0);

/** How many change records a directory writes between full-listing snapshots, by default. */
export const DIRECTORY_SNAPSHOT_INTERVAL = 64;

export interface OpLogPersistenceOptions {
  /** Refuse writes. */
  readOnly?: boolean;
  /** Stay at the loaded version (time travel) instead of following new commits. */
  pinned?: boolean;
}

/** The table property holding the snapshot interval, so every writer of a pond uses the same. */
export const SNAPSHOT_INTERVAL_PROPERTY = "pond.directorySnapshotInterval";

export class OpLogPersistence implements PersistenceLayer {
  private readonly pending = new PendingChanges();
  private readonly readSet = new ReadSet();
  private readonly state: CommittedState;
  private readonly createdDirs = new Set<NodeId>();
  /** Private copies of staged contents, and of contents handed to readers. */
  private readonly stagedCopies = new ContentArena(STORE_SIZES);
  private readonly readCopies = new ContentArena(READ_SIZES);
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

  get readOnly(): boolean {
    return this.options.readOnly === true || this.options.pinned === true;
  }

  async begin(): Promise<void> {
    this.check();
    this.readSet.clear();
    if (this.options.pinned) return;
    await this.catchUp(await this.table.update());
  }

  async loadNode(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata | undefined> {
    this.check();
    if (this.pending.dirs.has(nodeId)) return this.pendingDirectory(nodeId);
    const staged = this.pending.newestOf(nodeId);
    if (staged) return staged.meta;
    const newest = await this.state.newest(nodeId, partId);
    if (newest) return newest.meta;
    if (nodeId === ROOT_ID && partId === ROOT_ID) return rootMetadata(await this.created());
    return undefined;
  }

  async existsNode(nodeId: NodeId, partId: NodeId): Promise<boolean> {
    return (await this.loadNode(nodeId, partId)) !== undefined;
  }

  storeNode(nodeId: NodeId, partId: NodeId, write: NodeWrite): MaybePromise<NodeMetadata> {
    this.checkWritable();
    if (write.entryType === "directory") {
      if (write.isNew) this.createdDirs.add(nodeId);
      this.pending.touchDirectory(nodeId);
      return this.pendingDirectory(nodeId);
    }
    if (write.size >= LARGE_FILE_THRESHOLD) return this.storeLargeNode(nodeId, partId, write);
    return andThen(this.nextVersion(nodeId, partId, write), (meta) => {
      const content = this.stagedCopies.copy(write.content);
      this.pending.stageVersion({ meta, write: { ...write, content } });
      return meta;
    });
  }

  async storeNodeFrom(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeStreamWrite,
    source: AsyncIterable<Uint8Array>,
  ): Promise<NodeMetadata> {
    this.checkWritable();
    const stored = await storeLargeFileFrom(this.table.root, source, this.largeFiles);
    if (stored.content) {
      return this.storeNode(nodeId, partId, {
        ...write,
        content: stored.content,
        size: stored.size,
        sha256: stored.sha256,
      });
    }
    const meta = await this.nextVersion(nodeId, partId, {
      ...write,
      size: stored.size,
      sha256: stored.sha256,
    });
    this.pending.stageVersion({
      meta,
      write: { ...write, content: EMPTY, size: stored.size, sha256: stored.sha256 },
      contentRef: stored.contentRef as string,
    });
    return meta;
  }

  async openContent(
    nodeId: NodeId,
    partId: NodeId,
    version?: number,
  ): Promise<ReadableStream<Uint8Array>> {
    this.check();
    const large = await this.largeContent(nodeId, partId, version);
    if (large) return openLargeFile(this.table.root, large.ref, large.sha256, large.size);
    const content = await this.readContent(nodeId, partId, version);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(content);
        controller.close();
      },
    });
  }

  async listVersions(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata[]> {
    this.check();
    const versions = (await this.state.versions(nodeId, partId)).map((v) => v.meta);
    if (this.pending.dirs.has(nodeId)) versions.push(await this.pendingDirectory(nodeId));
    else for (const staged of this.pending.versionsOf(nodeId)) versions.push(staged.meta);
    if (versions.length === 0 && nodeId === ROOT_ID)
      versions.push(rootMetadata(await this.created()));
    return versions;
  }

  async readContent(nodeId: NodeId, partId: NodeId, version?: number): Promise<Uint8Array> {
    this.check();
    const found = this.pending.pickVersion(
      nodeId,
      await this.state.versions(nodeId, partId),
      version,
    );
    if (found && "staged" in found) return this.stagedContent(found.staged);
    const content =
      found && (await this.state.content(nodeId, partId, found.committed.meta.version));
    if (!content) {
      throw new PondError("ENOENT", version === undefined ? "no content" : `no version ${version}`);
    }
    return this.readCopies.copy(content);
  }

  lookupEntry(dirId: NodeId, name: string): MaybePromise<DirEntry | undefined> {
    this.check();
    this.readSet.name(dirId, name);
    const staged = this.pending.stagedEntry(dirId, name);
    if (staged !== undefined) return staged ?? undefined;
    if (this.createdDirs.has(dirId)) return undefined;
    const cached = this.state.cachedDirectory(dirId);
    if (cached) return cached.entries.get(name);
    return this.state.directory(dirId).then((state) => state.entries.get(name));
  }

  async loadDirectoryEntries(dirId: NodeId): Promise<DirEntry[]> {
    this.check();
    this.readSet.listing(dirId);
    const committed = this.createdDirs.has(dirId)
      ? []
      : sortedEntries(await this.state.directory(dirId));
    return [...this.pending.overlay(dirId, committed)];
  }

  updateDirectoryEntry(dirId: NodeId, name: string, op: DirectoryOperation): MaybePromise<void> {
    this.checkWritable();
    this.readSet.name(dirId, name);
    if (op.kind === "rename") this.readSet.name(dirId, op.newName);
    return this.pending.applyDirectoryOperation(dirId, name, op, (d, n) => this.lookupEntry(d, n));
  }

  savepoint(): number {
    return this.pending.savepoint();
  }

  rollbackTo(savepoint: number): void {
    this.pending.rollbackTo(savepoint);
  }

  async commit(meta: CommitMeta): Promise<CommitInfo | undefined> {
    this.checkWritable();
    try {
      return await this.commitPending(meta);
    } finally {
      // Whatever was not committed (all of it when the commit failed) goes at once.
      await this.largeFiles.release(this.table.root);
      this.pending.clear();
      this.createdDirs.clear();
      this.readSet.clear();
    }
  }

  async rollback(): Promise<void> {
    await this.largeFiles.release(this.table.root);
    this.pending.clear();
    this.createdDirs.clear();
    this.readSet.clear();
  }

  currentVersion(): number {
    return this.version;
  }

  async history(): Promise<CommitInfo[]> {
    this.check();
    return (await this.tableHistory()).map(commitInfo);
  }

  async atVersion(version: number): Promise<PersistenceLayer> {
    this.check();
    if (!Number.isInteger(version) || version < 0 || version > this.version) {
      throw new PondError("EINVAL", `no version ${version} (newest is ${this.version})`);
    }
    const view = await OpLogTable.open(this.table.root, version).catch(async (error: unknown) => {
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
    this.pending.clear();
    this.state.clear();
    this.table.close();
  }

  /** The table's history with pond's commit info, cached: history never changes. */
  async tableHistory(): Promise<TableVersionInfo[]> {
    if (this.historyCache.length !== this.version + 1) {
      const all = await this.table.history();
      this.historyCache = all.filter((h) => h.version <= this.version);
    }
    return this.historyCache;
  }

  private async commitPending(meta: CommitMeta): Promise<CommitInfo | undefined> {
    if (this.pending.isEmpty) return undefined;
    const txnId = randomUUID();
    for (;;) {
      const version = this.version + 1;
      const timestamp = Math.max(Date.now(), this.lastTimestamp);
      const rows = await this.buildRows(version, timestamp);
      if (rows.length === 0) return undefined;
      const partitions = new Set(rows.map((r) => r.partId)).size;
      const info: PondCommitInfo = {
        txnId,
        timestamp,
        rows: rows.length,
        partitions,
        ...(meta.message !== undefined && { message: meta.message }),
        ...(meta.meta && { meta: meta.meta }),
      };
      if (await this.table.commit(rows, version, info)) {
        await this.largeFiles.release(this.table.root, new Set(rows.map((row) => row.contentRef)));
        this.state.apply(rows);
        this.version = version;
        this.lastTimestamp = timestamp;
        return commitInfo({ version, timestamp, pond: info });
      }
      await this.rebase();
    }
  }

  /**
   * Another writer committed first: read what it changed and go on only if
   * none of it touches what this transaction read or wrote.
   */
  private async rebase(): Promise<void> {
    const to = await this.table.update();
    for (let version = this.version + 1; version <= to; version++) {
      const rows = await this.table.rowsOf(version);
      for (const row of rows) {
        if (row.entryType === "directory") {
          const changes: DirectoryChange[] | "all" = row.content
            ? decodeDirectoryChanges(row)
            : "all";
          const staged = this.pending.dirs.get(row.nodeId);
          const touchesStaged =
            staged !== undefined && (changes === "all" || changes.some((c) => staged.has(c.name)));
          if (touchesStaged || this.readSet.conflictsWith(row.nodeId, changes)) {
            const name =
              changes === "all"
                ? undefined
                : changes.find(
                    (c) => staged?.has(c.name) || this.readSet.dependsOn(row.nodeId, c.name),
                  )?.name;
            throw this.conflict(version, row.nodeId, name);
          }
        } else if (this.pending.nodes.has(row.nodeId)) {
          throw this.conflict(version, row.nodeId);
        }
      }
      this.state.apply(rows);
      this.noteTimestamp(rows);
      this.version = version;
    }
  }

  /**
   * CONFLICT naming the pond path that a concurrent commit changed under this transaction: node
   * `nodeId`, or entry `name` of directory `nodeId`. The path is found through the names this
   * transaction looked up or staged, which lead from the root to whatever it touched; a node
   * reached otherwise is named by its id.
   */
  private conflict(version: number, nodeId: NodeId, name?: string): PondError {
    const at = this.pathOf(nodeId);
    const path = at === undefined || name === undefined ? at : joinPath(at, name);
    const what =
      path ?? `node ${shown(nodeId)}${name === undefined ? "" : ` (entry ${shown(name)})`}`;
    return new PondError(
      "CONFLICT",
      `a concurrent commit (version ${version}) changed ${path === undefined ? what : "it"}, ` +
        "which this transaction depends on",
      path === undefined ? {} : { path },
    );
  }

  /** The path of `nodeId` through the entries this transaction looked up, listed or staged. */
  private pathOf(nodeId: NodeId): string | undefined {
    const parents = new Map<NodeId, { dir: NodeId; name: string }>();
    const note = (dir: NodeId, name: string, entry: DirEntry | null | undefined) => {
      if (entry && !parents.has(entry.nodeId)) parents.set(entry.nodeId, { dir, name });
    };
    for (const [dir, staged] of this.pending.dirs) {
      for (const [name, entry] of staged) note(dir, name, entry);
    }
    const { names, listings } = this.readSet.read();
    for (const [dir, looked] of names) {
      const committed = this.state.cachedDirectory(dir)?.entries;
      for (const name of looked) note(dir, name, committed?.get(name));
    }
    for (const dir of listings) {
      for (const [name, entry] of this.state.cachedDirectory(dir)?.entries ?? []) {
        note(dir, name, entry);
      }
    }
    const segments: string[] = [];
    for (let id = nodeId; id !== ROOT_ID; ) {
      const parent = parents.get(id);
      if (!parent || segments.length > parents.size) return undefined;
      segments.push(parent.name);
      id = parent.dir;
    }
    return `/${segments.reverse().join("/")}`;
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

  private async buildRows(version: number, timestamp: number): Promise<OpLogRow[]> {
    const rows: OpLogRow[] = [];
    for (const staged of this.pending.nodes.values()) {
      for (const { meta, write, contentRef } of staged) {
        rows.push({
          partId: meta.partId,
          nodeId: meta.nodeId,
          entryType: meta.entryType,
          version: meta.version,
          txnSeq: version,
          timestamp,
          content: contentRef ? null : write.content,
          contentRef: contentRef ?? null,
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
    for (const [dirId, staged] of this.pending.dirs) {
      const created = this.createdDirs.has(dirId);
      const committed = created ? undefined : await this.state.directory(dirId);
      const changes: DirectoryChange[] = [];
      let size = committed?.entries.size ?? 0;
      for (const [name, entry] of staged) {
        const existed = committed?.entries.has(name) ?? false;
        if (entry) {
          changes.push({ name, op: existed ? "update" : "insert", entry });
          if (!existed) size++;
        } else if (existed) {
          changes.push({ name, op: "delete", entry: null });
          size--;
        }
      }
      if (changes.length === 0 && !created) continue;
      // Every so often the record is the whole listing, so replay never goes further back.
      const snapshot = (committed?.sinceSnapshot ?? 0) + 1 >= this.snapshotInterval;
      records.push(
        snapshot
          ? this.pending
              .overlay(dirId, committed ? sortedEntries(committed) : [])
              .map((entry): DirectoryChange => ({ name: entry.name, op: "insert", entry }))
          : changes,
      );
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

  /** Where a version's content lives when it is a large file (staged or committed). */
  private async largeContent(
    nodeId: NodeId,
    partId: NodeId,
    version?: number,
  ): Promise<{ ref: string; sha256: string; size: number } | undefined> {
    const found = this.pending.pickVersion(
      nodeId,
      await this.state.versions(nodeId, partId),
      version,
    );
    if (!found) return undefined;
    const [ref, meta] =
      "staged" in found
        ? [found.staged.contentRef, found.staged.meta]
        : [found.committed.contentRef, found.committed.meta];
    return ref ? { ref, sha256: meta.sha256, size: meta.size } : undefined;
  }

  private async storeLargeNode(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeWrite,
  ): Promise<NodeMetadata> {
    const meta = await this.nextVersion(nodeId, partId, write);
    const contentRef = await storeLargeFile(
      this.table.root,
      write.sha256,
      write.content,
      this.largeFiles,
    );
    this.pending.stageVersion({ meta, write: { ...write, content: EMPTY }, contentRef });
    return meta;
  }

  /** The metadata of a file's next version (newest staged or committed + 1). */
  private nextVersion(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeStreamWrite & { size: number; sha256: string },
  ): MaybePromise<NodeMetadata> {
    if (write.isNew) this.state.knownNew(nodeId);
    const staged = this.pending.newestOf(nodeId)?.meta;
    if (staged || write.isNew) return nextVersionMetadata(nodeId, partId, write, staged);
    return this.state
      .newest(nodeId, partId)
      .then((newest) => nextVersionMetadata(nodeId, partId, write, newest?.meta));
  }

  private async pendingDirectory(dirId: NodeId): Promise<NodeMetadata> {
    const newest = this.createdDirs.has(dirId) ? undefined : await this.state.newest(dirId, dirId);
    return {
      nodeId: dirId,
      partId: dirId,
      entryType: "directory",
      version: (newest?.meta.version ?? 0) + 1,
      size: (await this.loadDirectoryEntries(dirId)).length,
      sha256: "",
      timestamp: new Date(),
    };
  }

  private async stagedContent(staged: StagedVersion): Promise<Uint8Array> {
    if (staged.contentRef) {
      return readLargeFile(
        this.table.root,
        staged.contentRef,
        staged.meta.sha256,
        staged.meta.size,
      );
    }
    return this.readCopies.copy(staged.write.content);
  }

  private async created(): Promise<Date> {
    const first = (await this.tableHistory())[0];
    return new Date(first?.timestamp ?? 0);
  }

  private check(): void {
    if (this.closed) throw new PondError("CLOSED", "the pond is closed");
  }

  private checkWritable(): void {
    this.check();
    if (this.readOnly) throw new PondError("EROFS", "read-only pond");
  }
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
