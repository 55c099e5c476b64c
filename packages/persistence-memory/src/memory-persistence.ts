// MemoryPersistence: the PersistenceLayer kept in process memory, history included.

import {
  type CommitInfo,
  type CommitMeta,
  ContentArena,
  type DirEntry,
  type DirectoryOperation,
  type NodeId,
  type NodeMetadata,
  type NodeWrite,
  nextVersionMetadata,
  PendingChanges,
  type PersistenceLayer,
  PondError,
  READ_SIZES,
  ROOT_ID,
  rootMetadata,
  STORE_SIZES,
  type StagedEntries,
  type StagedVersion,
  sortEntries,
} from "@pond/tinyfs";

/**
 * A committed version. Its content is `buffer` from `start` to `end`: a view
 * per version would cost about a hundred bytes of history each.
 */
interface StoredVersion {
  meta: NodeMetadata;
  buffer: ArrayBufferLike;
  start: number;
  end: number;
}

function storedVersion(meta: NodeMetadata, content: Uint8Array): StoredVersion {
  const start = content.byteOffset;
  return { meta, buffer: content.buffer, start, end: start + content.byteLength };
}

/** A name bound to an entry (its `name`), or a name unbound. */
type DirectoryChange = DirEntry | string;

/** One committed version of a directory: record `i` is version `i + 1`. */
interface DirectoryRecord {
  txnSeq: number;
  /** The entry count after the commit. */
  size: number;
  /** Most commits change one name: it is kept without an array around it. */
  changes: DirectoryChange | DirectoryChange[];
}

/**
 * A directory's entries and versions. Its version metadata is built from the
 * records when asked for: kept whole it would double what each commit adds.
 */
interface DirectoryState {
  current: Map<string, DirEntry>;
  sorted: DirEntry[] | undefined;
  records: DirectoryRecord[];
}

const EMPTY = new Uint8Array(0);
const NO_VERSIONS: StoredVersion[] = [];

/** A staged version's metadata as committed, its keys in the staged order then `txnSeq`. */
function committedMetadata(staged: NodeMetadata, timestamp: Date, txnSeq: number): NodeMetadata {
  // Built whole: in V8 a spread followed by a new key gives every object its own hidden class.
  const { nodeId, partId, entryType, version, size, sha256, minEventTime, maxEventTime, attrs } =
    staged;
  if (minEventTime === undefined && maxEventTime === undefined && attrs === undefined) {
    return { nodeId, partId, entryType, version, size, sha256, timestamp, txnSeq };
  }
  const meta: NodeMetadata = { nodeId, partId, entryType, version, size, sha256, timestamp };
  if (minEventTime !== undefined) meta.minEventTime = minEventTime;
  if (maxEventTime !== undefined) meta.maxEventTime = maxEventTime;
  if (attrs !== undefined) meta.attrs = attrs;
  meta.txnSeq = txnSeq;
  return meta;
}

/**
 * A commit's time, never before the previous commit's. Commits within one
 * millisecond share the previous commit's Date: a Date costs a hundred bytes
 * of history each.
 */
function commitTimestamp(previous: Date): Date {
  const now = Date.now();
  return now > previous.getTime() ? new Date(now) : previous;
}

/** Applies one recorded change to a listing being rebuilt. */
function replay(entries: Map<string, DirEntry>, change: DirectoryChange): void {
  if (typeof change === "string") entries.delete(change);
  else entries.set(change.name, change);
}

/**
 * Applies a directory's staged names to its current entries. Returns what
 * changed: one change alone, several in an array, or undefined for none.
 */
function applyStaged(
  current: Map<string, DirEntry>,
  staged: StagedEntries,
): DirectoryChange | DirectoryChange[] | undefined {
  let changes: DirectoryChange | DirectoryChange[] | undefined;
  for (const [name, entry] of staged) {
    if (entry) current.set(name, entry);
    else if (!current.delete(name)) continue;
    const change = entry ?? name;
    if (changes === undefined) changes = change;
    else if (Array.isArray(changes)) changes.push(change);
    else changes = [changes, change];
  }
  return changes;
}

/** How many partitions searched one by one before a set is made. */
const FEW_PARTITIONS = 8;

/**
 * The number of distinct partitions a commit writes to. A commit of one write
 * touches one or two, so a short list, kept from commit to commit, is searched
 * before a set is made.
 */
class PartitionCount {
  private readonly few: NodeId[] = [];
  private count = 0;
  private many: Set<NodeId> | undefined;

  add(partId: NodeId): void {
    if (this.many) {
      this.many.add(partId);
      return;
    }
    for (let i = 0; i < this.count; i++) if (this.few[i] === partId) return;
    if (this.count === FEW_PARTITIONS) this.many = new Set([...this.few, partId]);
    else this.few[this.count++] = partId;
  }

  get size(): number {
    return this.many ? this.many.size : this.count;
  }

  clear(): void {
    this.count = 0;
    this.many = undefined;
  }
}

/** Everything committed; shared by a pond and its time-travel views. */
class MemoryStore {
  readonly nodes = new Map<NodeId, StoredVersion[]>();
  readonly dirs = new Map<NodeId, DirectoryState>();
  readonly commits: CommitInfo[] = [{ version: 0, timestamp: new Date(), message: "create pond" }];
  readonly arena = new ContentArena(STORE_SIZES);
  readonly readCopies = new ContentArena(READ_SIZES);

  get version(): number {
    return this.commits.length - 1;
  }

  /** The metadata of a directory's version `index + 1`. */
  directoryMetadata(dirId: NodeId, records: DirectoryRecord[], index: number): NodeMetadata {
    const { txnSeq, size } = records[index] as DirectoryRecord;
    const timestamp = (this.commits[txnSeq] as CommitInfo).timestamp;
    return {
      nodeId: dirId,
      partId: dirId,
      entryType: "directory",
      version: index + 1,
      size,
      sha256: "",
      timestamp,
      txnSeq,
    };
  }
}

export class MemoryPersistence implements PersistenceLayer {
  private readonly pending = new PendingChanges();
  private readonly listingsAsOf = new Map<NodeId, DirEntry[]>();
  private readonly partitions = new PartitionCount();
  private closed = false;

  constructor(
    private readonly store = new MemoryStore(),
    /** Set for a read-only view of an older version. */
    private readonly asOf?: number,
  ) {}

  get readOnly(): boolean {
    return this.asOf !== undefined;
  }

  begin(): void {
    this.check();
  }

  loadNode(nodeId: NodeId, partId: NodeId): NodeMetadata | undefined {
    this.check();
    const newest = this.committedNewest(nodeId);
    if (this.pending.dirs.has(nodeId)) {
      return {
        nodeId,
        partId: nodeId,
        entryType: "directory",
        version: (newest?.version ?? 0) + 1,
        size: this.pending.overlay(nodeId, this.committedListing(nodeId)).length,
        sha256: "",
        timestamp: new Date(),
      };
    }
    const staged = this.pending.newestOf(nodeId);
    if (staged) return staged.meta;
    if (newest) return newest;
    if (nodeId === ROOT_ID && partId === ROOT_ID) return this.rootBeforeFirstChange();
    return undefined;
  }

  async existsNode(nodeId: NodeId, partId: NodeId): Promise<boolean> {
    return this.loadNode(nodeId, partId) !== undefined;
  }

  storeNode(nodeId: NodeId, partId: NodeId, write: NodeWrite): NodeMetadata {
    this.checkWritable();
    if (write.entryType === "directory") {
      this.pending.touchDirectory(nodeId);
      return this.loadNode(nodeId, partId) as NodeMetadata;
    }
    const previous = write.isNew
      ? undefined
      : (this.pending.newestOf(nodeId)?.meta ?? this.committedNewest(nodeId));
    const meta = nextVersionMetadata(nodeId, partId, write, previous);
    this.pending.stageVersion({
      meta,
      write: { ...write, content: this.store.arena.copy(write.content) },
    });
    return meta;
  }

  async listVersions(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata[]> {
    this.check();
    const versions = this.committedVersions(nodeId).map((v) => v.meta);
    if (this.pending.dirs.has(nodeId)) {
      versions.push(this.loadNode(nodeId, partId) as NodeMetadata);
    } else {
      for (const staged of this.pending.versionsOf(nodeId)) versions.push(staged.meta);
    }
    if (versions.length === 0 && nodeId === ROOT_ID) versions.push(this.rootBeforeFirstChange());
    return versions;
  }

  readContent(nodeId: NodeId, _partId: NodeId, version?: number): Uint8Array {
    this.check();
    const found = this.pending.pickVersion(nodeId, this.committedVersions(nodeId), version);
    if (!found) {
      throw new PondError("ENOENT", version === undefined ? "no content" : `no version ${version}`);
    }
    const copies = this.store.readCopies;
    if ("staged" in found) return copies.copy(found.staged.write.content);
    const { buffer, start, end } = found.committed;
    return copies.copy(new Uint8Array(buffer, start, end - start));
  }

  lookupEntry(dirId: NodeId, name: string): DirEntry | undefined {
    this.check();
    const staged = this.pending.stagedEntry(dirId, name);
    if (staged !== undefined) return staged ?? undefined;
    if (this.asOf === undefined) return this.store.dirs.get(dirId)?.current.get(name);
    return this.listingAsOf(dirId).find((e) => e.name === name);
  }

  async loadDirectoryEntries(dirId: NodeId): Promise<DirEntry[]> {
    this.check();
    return [...this.pending.overlay(dirId, this.committedListing(dirId))];
  }

  updateDirectoryEntry(dirId: NodeId, name: string, op: DirectoryOperation): void {
    this.checkWritable();
    this.pending.applyDirectoryOperation(dirId, name, op, (d, n) => this.lookupEntry(d, n));
  }

  savepoint(): number {
    return this.pending.savepoint();
  }

  rollbackTo(savepoint: number): void {
    this.pending.rollbackTo(savepoint);
  }

  commit(meta: CommitMeta): CommitInfo | undefined {
    this.check();
    if (this.pending.isEmpty) return undefined;
    const store = this.store;
    const version = store.version + 1;
    const timestamp = commitTimestamp((store.commits[store.version] as CommitInfo).timestamp);
    const partitions = this.partitions;
    partitions.clear();
    let rows = 0;
    for (const staged of this.pending.nodes.values()) {
      const first = staged[0] as StagedVersion;
      const nodeId = first.meta.nodeId;
      // A brand-new node has no versions to look up; a new list is made at its size.
      let versions = first.write.isNew ? undefined : store.nodes.get(nodeId);
      for (const { meta, write } of staged) {
        const committed = storedVersion(committedMetadata(meta, timestamp, version), write.content);
        if (versions) {
          versions.push(committed);
        } else {
          versions = [committed];
          store.nodes.set(nodeId, versions);
        }
        partitions.add(meta.partId);
        rows++;
      }
    }
    for (const [dirId, staged] of this.pending.dirs) {
      let state = store.dirs.get(dirId);
      if (!state) {
        state = { current: new Map(), sorted: undefined, records: [] };
        store.dirs.set(dirId, state);
      }
      const changes = applyStaged(state.current, staged);
      const created = state.records.length === 0 && dirId !== ROOT_ID;
      if (changes === undefined && !created) continue;
      state.records.push({ txnSeq: version, size: state.current.size, changes: changes ?? [] });
      state.sorted = undefined;
      partitions.add(dirId);
      rows++;
    }
    this.pending.clear();
    if (rows === 0) return undefined;
    const info: CommitInfo =
      meta.message === undefined
        ? { version, timestamp, rows, partitions: partitions.size }
        : { version, timestamp, rows, partitions: partitions.size, message: meta.message };
    if (meta.meta) info.meta = { ...meta.meta };
    store.commits.push(info);
    return info;
  }

  async rollback(): Promise<void> {
    this.pending.clear();
  }

  currentVersion(): number {
    return this.asOf ?? this.store.version;
  }

  async history(): Promise<CommitInfo[]> {
    this.check();
    return this.store.commits.slice(0, this.currentVersion() + 1);
  }

  async atVersion(version: number): Promise<PersistenceLayer> {
    this.check();
    if (!Number.isInteger(version) || version < 0 || version > this.currentVersion()) {
      throw new PondError("EINVAL", `no version ${version} (newest is ${this.currentVersion()})`);
    }
    return new MemoryPersistence(this.store, version);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
  }

  private committedVersions(nodeId: NodeId): StoredVersion[] {
    const state = this.store.dirs.get(nodeId);
    if (state) return this.directoryVersions(nodeId, state.records);
    const versions = this.store.nodes.get(nodeId) ?? NO_VERSIONS;
    if (this.asOf === undefined) return versions;
    const asOf = this.asOf;
    let end = versions.length;
    while (end > 0 && ((versions[end - 1] as StoredVersion).meta.txnSeq as number) > asOf) end--;
    return end === versions.length ? versions : versions.slice(0, end);
  }

  private committedNewest(nodeId: NodeId): NodeMetadata | undefined {
    const state = this.store.dirs.get(nodeId);
    if (state) {
      const count = this.recordsSeen(state.records);
      return count === 0
        ? undefined
        : this.store.directoryMetadata(nodeId, state.records, count - 1);
    }
    if (this.asOf === undefined) {
      const versions = this.store.nodes.get(nodeId);
      return versions?.[versions.length - 1]?.meta;
    }
    const versions = this.committedVersions(nodeId);
    return versions[versions.length - 1]?.meta;
  }

  /** A directory's versions this view sees, content empty. */
  private directoryVersions(dirId: NodeId, records: DirectoryRecord[]): StoredVersion[] {
    const versions: StoredVersion[] = [];
    const count = this.recordsSeen(records);
    for (let i = 0; i < count; i++) {
      versions.push(storedVersion(this.store.directoryMetadata(dirId, records, i), EMPTY));
    }
    return versions;
  }

  /** How many of a directory's records this view sees. */
  private recordsSeen(records: DirectoryRecord[]): number {
    if (this.asOf === undefined) return records.length;
    let count = records.length;
    while (count > 0 && (records[count - 1] as DirectoryRecord).txnSeq > this.asOf) count--;
    return count;
  }

  private committedListing(dirId: NodeId): DirEntry[] {
    if (this.asOf !== undefined) return this.listingAsOf(dirId);
    const state = this.store.dirs.get(dirId);
    if (!state) return [];
    state.sorted ??= sortEntries([...state.current.values()]);
    return state.sorted;
  }

  private listingAsOf(dirId: NodeId): DirEntry[] {
    let listing = this.listingsAsOf.get(dirId);
    if (!listing) {
      const entries = new Map<string, DirEntry>();
      for (const record of this.store.dirs.get(dirId)?.records ?? []) {
        if (record.txnSeq > (this.asOf as number)) break;
        const changes = record.changes;
        if (!Array.isArray(changes)) replay(entries, changes);
        else for (const change of changes) replay(entries, change);
      }
      listing = sortEntries([...entries.values()]);
      this.listingsAsOf.set(dirId, listing);
    }
    return listing;
  }

  private rootBeforeFirstChange(): NodeMetadata {
    return rootMetadata((this.store.commits[0] as CommitInfo).timestamp);
  }

  private check(): void {
    if (this.closed) throw new PondError("CLOSED", "the pond is closed");
  }

  private checkWritable(): void {
    this.check();
    if (this.readOnly) throw new PondError("EROFS", "read-only view");
  }
}
