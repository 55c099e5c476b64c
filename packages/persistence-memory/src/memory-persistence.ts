// MemoryPersistence: a pond's committed state kept in process memory, history included.

import type { CommitInfo, CommitMeta, DirEntry, NodeId, NodeMetadata } from "@pond/tinyfs";
import type { ChangeSet, PersistenceLayer, StagedVersion } from "@pond/tinyfs/backend";

/**
 * A committed file or symlink version. Its content is `buffer` from `start` to
 * `end`: a view per version would cost about a hundred bytes of history each.
 */
interface StoredVersion {
  meta: NodeMetadata;
  buffer: ArrayBufferLike;
  start: number;
  end: number;
}

/** A name bound to an entry (its `name`), or a name unbound. */
type DirectoryChange = DirEntry | string;

/**
 * One committed version of a directory: record `i` is version `i + 1`. Its
 * metadata is built when asked for: kept whole it would double what a commit adds.
 */
interface DirectoryRecord {
  txnSeq: number;
  /** The entry count after the commit. */
  size: number;
  /** Most commits change one name: it is kept without an array around it. */
  changes: DirectoryChange | DirectoryChange[];
}

interface DirectoryState {
  current: Map<string, DirEntry>;
  records: DirectoryRecord[];
}

const NO_ENTRIES: ReadonlyMap<string, DirEntry> = new Map();

/** Everything committed; shared by a pond and its time-travel views. */
class MemoryStore {
  readonly nodes = new Map<NodeId, StoredVersion[]>();
  readonly dirs = new Map<NodeId, DirectoryState>();
  readonly commits: CommitInfo[] = [{ version: 0, timestamp: new Date(), message: "create pond" }];
}

/**
 * The pond in memory. Closing it releases nothing: a new FS over the same
 * MemoryPersistence sees the same pond, as a reopened durable one would.
 */
export class MemoryPersistence implements PersistenceLayer {
  private readonly listingsAsOf = new Map<NodeId, Map<string, DirEntry>>();

  constructor(
    private readonly store = new MemoryStore(),
    /** Set for a view of an older version. */
    private readonly asOf?: number,
  ) {}

  begin(): number {
    return this.asOf ?? this.store.commits.length - 1;
  }

  node(nodeId: NodeId): NodeMetadata | undefined {
    const dir = this.store.dirs.get(nodeId);
    if (dir) {
      const count = this.seen(dir.records);
      return count === 0 ? undefined : this.directoryVersion(nodeId, dir.records, count - 1);
    }
    const versions = this.fileVersions(nodeId);
    return versions[versions.length - 1]?.meta;
  }

  versions(nodeId: NodeId): NodeMetadata[] {
    const dir = this.store.dirs.get(nodeId);
    if (!dir) return this.fileVersions(nodeId).map((v) => v.meta);
    return Array.from({ length: this.seen(dir.records) }, (_, i) =>
      this.directoryVersion(nodeId, dir.records, i),
    );
  }

  directory(dirId: NodeId): ReadonlyMap<string, DirEntry> {
    if (this.asOf === undefined) return this.store.dirs.get(dirId)?.current ?? NO_ENTRIES;
    let listing = this.listingsAsOf.get(dirId);
    if (listing) return listing;
    listing = new Map();
    const records = this.store.dirs.get(dirId)?.records ?? [];
    for (const { changes } of records.slice(0, this.seen(records))) {
      for (const change of Array.isArray(changes) ? changes : [changes]) {
        if (typeof change === "string") listing.delete(change);
        else listing.set(change.name, change);
      }
    }
    this.listingsAsOf.set(dirId, listing);
    return listing;
  }

  readContent(version: NodeMetadata): Uint8Array {
    const versions = this.store.nodes.get(version.nodeId) as StoredVersion[];
    const { buffer, start, end } = versions[version.version - 1] as StoredVersion;
    return new Uint8Array(buffer, start, end - start);
  }

  commit(changes: ChangeSet, meta: CommitMeta): CommitInfo | undefined {
    if (changes.rows === 0) return undefined;
    const { nodes, dirs, commits } = this.store;
    const txnSeq = commits.length;
    const timestamp = commitTimestamp((commits[txnSeq - 1] as CommitInfo).timestamp);
    for (const [nodeId, staged] of changes.nodes) {
      // A brand-new node has no versions to look up; a new list is made at its size.
      let versions =
        (staged[0] as StagedVersion).meta.version === 1 ? undefined : nodes.get(nodeId);
      for (const { meta, content } of staged) {
        const start = content.byteOffset;
        const end = start + content.byteLength;
        const stored = {
          meta: committed(meta, timestamp, txnSeq),
          buffer: content.buffer,
          start,
          end,
        };
        if (versions) {
          versions.push(stored);
        } else {
          versions = [stored];
          nodes.set(nodeId, versions);
        }
      }
    }
    for (const [dirId, names] of changes.directories) {
      let dir = dirs.get(dirId);
      if (!dir) {
        dir = { current: new Map(), records: [] };
        dirs.set(dirId, dir);
      }
      let recorded: DirectoryChange | DirectoryChange[] | undefined;
      for (const [name, entry] of names) {
        if (entry) dir.current.set(name, entry);
        else dir.current.delete(name);
        const change = entry ?? name;
        if (recorded === undefined) recorded = change;
        else if (Array.isArray(recorded)) recorded.push(change);
        else recorded = [recorded, change];
      }
      dir.records.push({ txnSeq, size: dir.current.size, changes: recorded ?? [] });
    }
    const { rows, partitions } = changes;
    const info: CommitInfo =
      meta.message === undefined
        ? { version: txnSeq, timestamp, rows, partitions }
        : { version: txnSeq, timestamp, rows, partitions, message: meta.message };
    if (meta.meta) info.meta = { ...meta.meta };
    commits.push(info);
    return info;
  }

  history(): readonly CommitInfo[] {
    return this.store.commits;
  }

  atVersion(version: number): PersistenceLayer {
    return new MemoryPersistence(this.store, version);
  }

  close(): void {}

  /** A file's versions this view sees. */
  private fileVersions(nodeId: NodeId): readonly StoredVersion[] {
    const versions = this.store.nodes.get(nodeId) ?? [];
    if (this.asOf === undefined) return versions;
    return versions.filter((v) => (v.meta.txnSeq as number) <= (this.asOf as number));
  }

  /** How many of a directory's records this view sees. */
  private seen(records: readonly DirectoryRecord[]): number {
    if (this.asOf === undefined) return records.length;
    let count = records.length;
    while (count > 0 && (records[count - 1] as DirectoryRecord).txnSeq > this.asOf) count--;
    return count;
  }

  /** The metadata of a directory's version `index + 1`. */
  private directoryVersion(dirId: NodeId, records: DirectoryRecord[], index: number): NodeMetadata {
    const { txnSeq, size } = records[index] as DirectoryRecord;
    const timestamp = (this.store.commits[txnSeq] as CommitInfo).timestamp;
    const version = index + 1;
    return {
      nodeId: dirId,
      partId: dirId,
      entryType: "directory",
      version,
      size,
      sha256: "",
      timestamp,
      txnSeq,
    };
  }
}

/** A staged version's metadata as committed. */
function committed(staged: NodeMetadata, timestamp: Date, txnSeq: number): NodeMetadata {
  // Built whole: in V8 a spread followed by a new key gives every object its own hidden class.
  const { nodeId, partId, entryType, version, size, sha256, minEventTime, maxEventTime, attrs } =
    staged;
  const meta: NodeMetadata = {
    nodeId,
    partId,
    entryType,
    version,
    size,
    sha256,
    timestamp,
    txnSeq,
  };
  if (minEventTime !== undefined) meta.minEventTime = minEventTime;
  if (maxEventTime !== undefined) meta.maxEventTime = maxEventTime;
  if (attrs !== undefined) meta.attrs = attrs;
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
