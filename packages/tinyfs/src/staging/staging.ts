// The open transaction over a backend's committed state: staged changes, read through, and the read set.

import { sha256Hex } from "#platform/sha256";
import type { ChangeSet, PersistenceLayer, StoredContent } from "../backend/persistence-layer.js";
import { PondError } from "../errors.js";
import { andThen, type MaybePromise, settle } from "../maybe-promise.js";
import type { CommitInfo, CommitMeta, DirEntry, NodeMetadata } from "../node.js";
import { type NodeId, ROOT_ID } from "../node-id.js";
import type { QueryContent } from "../query.js";
import { collect, streamOf } from "./collect.js";
import { ContentArena, READ_SIZES, STORE_SIZES } from "./content-arena.js";
import { type NodeStreamWrite, type NodeWrite, nextVersionMetadata } from "./node-write.js";
import { PartitionCount } from "./partition-count.js";
import { type DirectoryOperation, PendingChanges, sortEntries } from "./pending-changes.js";
import { ReadLog } from "./read-log.js";

const EMPTY = new Uint8Array(0);
const NO_ENTRIES: ReadonlyMap<string, DirEntry> = new Map();
const NO_LISTING: readonly DirEntry[] = [];

/** A committed listing sorted by name, and the backend's map it was sorted from. */
interface SortedListing {
  committed: ReadonlyMap<string, DirEntry>;
  sorted: readonly DirEntry[];
}

/**
 * What the FS reads and writes through: the backend's committed state with the
 * open transaction's changes over it. Every read sees the staged changes and
 * records what the transaction depends on. Synchronous while the backend
 * answers synchronously; may throw.
 */
export class Staging {
  /** The version reads see: what the backend's begin() answered, or the newest commit. */
  version = -1;
  private readonly pending = new PendingChanges();
  private readonly reads = new ReadLog();
  /** Private copies of staged contents, and of contents handed to readers. */
  private readonly stagedCopies = new ContentArena(STORE_SIZES);
  private readonly readCopies = new ContentArena(READ_SIZES);
  private readonly listings = new Map<NodeId, SortedListing>();
  private readonly partitions = new PartitionCount();
  /** Whether the open transaction had the backend store content itself. */
  private storedApart = false;
  /** Whether reads go into the read set: in a transaction that may write, not in a lone read. */
  private recording = false;
  private readonly lookup = (dirId: NodeId, name: string) => this.lookupEntry(dirId, name);

  constructor(private readonly backend: PersistenceLayer) {}

  /** Starts a transaction (`writes`) or a lone read at the backend's newest version. */
  begin(writes: boolean): MaybePromise<void> {
    this.recording = writes;
    const version = this.backend.begin();
    if (version instanceof Promise) return version.then((v) => this.moveTo(v));
    this.moveTo(version);
  }

  /** The newest version of a node, staged or committed; the root has one before its first change. */
  loadNode(nodeId: NodeId, partId: NodeId): MaybePromise<NodeMetadata | undefined> {
    const pending = this.pending;
    if (pending.dirs.has(nodeId)) return this.stagedDirectory(nodeId);
    const staged = pending.newestOf(nodeId);
    if (staged) return staged.meta;
    const committed = this.backend.node(nodeId, partId);
    if (committed instanceof Promise) {
      return committed.then((meta) => meta ?? this.rootBeforeFirstChange(nodeId));
    }
    return committed ?? this.rootBeforeFirstChange(nodeId);
  }

  /** Every version of a node, oldest first, the staged ones last. */
  listVersions(nodeId: NodeId, partId: NodeId): MaybePromise<NodeMetadata[]> {
    const staged = this.pending.versionsOf(nodeId);
    const isNew = this.pending.created.has(nodeId) || staged?.[0]?.meta.version === 1;
    return andThen(isNew ? NO_LISTING_VERSIONS : this.backend.versions(nodeId, partId), (list) => {
      const versions = [...list];
      if (this.pending.dirs.has(nodeId)) {
        return andThen(this.stagedDirectory(nodeId), (meta) => {
          versions.push(meta);
          return versions;
        });
      }
      for (const version of staged ?? []) versions.push(version.meta);
      if (versions.length > 0) return versions;
      return andThen(this.rootBeforeFirstChange(nodeId), (root) => (root ? [root] : versions));
    });
  }

  /**
   * The content of a file or symlink version (the newest when `version` is
   * omitted), a copy of its own. ENOENT when that version does not exist.
   */
  readContent(nodeId: NodeId, partId: NodeId, version?: number): MaybePromise<Uint8Array> {
    const staged = this.staged(nodeId, version);
    if (staged) {
      if (staged.ref === undefined) return this.readCopies.copy(staged.content);
      return andThen(this.backend.readContent(staged.meta, staged.ref), (c) => this.bytes(c));
    }
    const meta = this.committedVersion(nodeId, partId, version);
    if (meta instanceof Promise) {
      return meta.then((m) => andThen(this.backend.readContent(m), (c) => this.bytes(c)));
    }
    const content = this.backend.readContent(meta);
    if (content instanceof Promise) return content.then((c) => this.bytes(c));
    return this.bytes(content);
  }

  /**
   * Where a query engine finds a file version's content: the staged bytes (a copy of its own),
   * the backend's locator of committed or stored content when it gives one, else the bytes.
   */
  queryContent(meta: NodeMetadata): MaybePromise<QueryContent> {
    const staged = this.staged(meta.nodeId, meta.version);
    if (staged && staged.ref === undefined) return { bytes: this.readCopies.copy(staged.content) };
    const located = this.backend.locateContent?.(staged?.meta ?? meta, staged?.ref);
    if (located !== undefined) return andThen(located, (stored) => ({ stored }));
    return andThen(this.readContent(meta.nodeId, meta.partId, meta.version), (bytes) => ({
      bytes,
    }));
  }

  /** Like {@link readContent}, as a stream: large content is never held whole. */
  openContent(
    nodeId: NodeId,
    partId: NodeId,
    version?: number,
  ): Promise<ReadableStream<Uint8Array>> {
    return settle(() => {
      const staged = this.staged(nodeId, version);
      const content = staged
        ? staged.ref === undefined
          ? staged.content
          : this.backend.readContent(staged.meta, staged.ref)
        : andThen(this.committedVersion(nodeId, partId, version), (meta) =>
            this.backend.readContent(meta),
          );
      return andThen(content, (c) =>
        c instanceof Uint8Array ? streamOf(this.readCopies.copy(c)) : c,
      );
    });
  }

  /**
   * Stages a new version of a node (version = newest + 1) and returns its
   * metadata. A directory is staged by its first version only; later ones come
   * from its entries.
   */
  storeNode(nodeId: NodeId, partId: NodeId, write: NodeWrite): MaybePromise<NodeMetadata> {
    if (write.entryType === "directory") {
      this.pending.createDirectory(nodeId);
      return this.stagedDirectory(nodeId);
    }
    const previous = write.isNew ? undefined : this.previousVersion(nodeId, partId);
    if (previous instanceof Promise) {
      return previous.then((p) => this.stageBytes(nodeId, partId, write, p));
    }
    return this.stageBytes(nodeId, partId, write, previous);
  }

  /** Like {@link storeNode} for a file whose content arrives as a stream. */
  async storeNodeFrom(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeStreamWrite,
    source: AsyncIterable<Uint8Array>,
  ): Promise<NodeMetadata> {
    if (!this.backend.storeContent) {
      const content = await collect(source);
      const sha256 = sha256Hex(content);
      return this.storeNode(nodeId, partId, { ...write, content, size: content.length, sha256 });
    }
    this.storedApart = true;
    const stored = await this.backend.storeContent({ stream: source });
    const previous = write.isNew ? undefined : await this.previousVersion(nodeId, partId);
    const { size, sha256 } = stored;
    const meta = nextVersionMetadata(nodeId, partId, { ...write, size, sha256 }, previous);
    this.stage(meta, stored);
    return meta;
  }

  /** One name of a directory; the transaction depends on that name only. */
  lookupEntry(dirId: NodeId, name: string): MaybePromise<DirEntry | undefined> {
    const stagedDir = this.pending.dirs.get(dirId);
    if (stagedDir) {
      const staged = stagedDir.get(name);
      if (staged !== undefined || this.pending.created.has(dirId)) {
        return this.lookedUp(dirId, name, staged ?? undefined);
      }
    }
    const committed = this.backend.directory(dirId);
    if (committed instanceof Promise) {
      return committed.then((entries) => this.lookedUp(dirId, name, entries.get(name)));
    }
    return this.lookedUp(dirId, name, committed.get(name));
  }

  /** The whole listing of a directory, sorted by name; the transaction depends on all of it. */
  loadDirectoryEntries(dirId: NodeId): MaybePromise<DirEntry[]> {
    return andThen(this.listing(dirId), (entries) => [...entries]);
  }

  /** Stages a change to one name; the caller has checked it is valid. */
  updateDirectoryEntry(dirId: NodeId, name: string, op: DirectoryOperation): MaybePromise<void> {
    this.lookedUp(dirId, name, undefined);
    if (op.kind === "rename") this.lookedUp(dirId, op.newName, undefined);
    return this.pending.applyDirectoryOperation(dirId, name, op, this.lookup);
  }

  /** A mark in the open transaction that {@link rollbackTo} returns to. */
  savepoint(): number {
    return this.pending.savepoint();
  }

  /** Discards the changes staged after `savepoint`. */
  rollbackTo(savepoint: number): void {
    this.pending.rollbackTo(savepoint);
  }

  /** Commits the staged changes as one version; undefined when there were none. */
  commit(meta: CommitMeta): MaybePromise<CommitInfo | undefined> {
    if (this.pending.isEmpty && !this.storedApart) {
      this.reads.clear();
      return undefined;
    }
    let committed: MaybePromise<CommitInfo | undefined>;
    try {
      const changes = this.changeSet();
      committed =
        changes instanceof Promise
          ? changes.then((c) => this.backend.commit(c, meta))
          : this.backend.commit(changes, meta);
    } catch (error) {
      this.finish(undefined);
      throw error;
    }
    if (!(committed instanceof Promise)) return this.finish(committed);
    return committed.then(
      (info) => this.finish(info),
      (error: unknown) => {
        this.finish(undefined);
        throw error;
      },
    );
  }

  /** Discards every staged change; content the backend stored for them is its to take back. */
  rollback(): MaybePromise<void> {
    const storedApart = this.storedApart;
    this.pending.clear();
    this.reads.clear();
    this.storedApart = false;
    if (!storedApart) return;
    // The transaction's own failure is what its caller sees, not this one's.
    return settle(() => this.backend.commit(this.counted(), {})).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Records that the transaction depends on `name` of `dirId`, found bound to `entry`. */
  private lookedUp(dirId: NodeId, name: string, entry: DirEntry | undefined): DirEntry | undefined {
    if (this.recording) this.reads.lookedUp(dirId, name, entry);
    return entry;
  }

  private moveTo(version: number): void {
    if (version !== this.version) {
      this.listings.clear();
      this.version = version;
    }
    this.reads.clear();
  }

  /** The staged version a read means, if the transaction staged it. */
  private staged(nodeId: NodeId, version: number | undefined) {
    const staged = this.pending.versionsOf(nodeId);
    if (!staged) return undefined;
    if (version === undefined) return staged[staged.length - 1];
    return staged.find((s) => s.meta.version === version);
  }

  /** The committed version a read means: `version`, or the newest; ENOENT when there is none. */
  private committedVersion(
    nodeId: NodeId,
    partId: NodeId,
    version: number | undefined,
  ): MaybePromise<NodeMetadata> {
    if (version === undefined) {
      const newest = this.backend.node(nodeId, partId);
      if (newest instanceof Promise) return newest.then((meta) => found(meta, version));
      return found(newest, version);
    }
    return andThen(this.backend.versions(nodeId, partId), (all) =>
      found(
        all.find((meta) => meta.version === version),
        version,
      ),
    );
  }

  /** Bytes for a reader: a copy of what the backend keeps, or a stream gathered. */
  private bytes(content: Uint8Array | ReadableStream<Uint8Array>): MaybePromise<Uint8Array> {
    return content instanceof Uint8Array ? this.readCopies.copy(content) : collect(content);
  }

  private previousVersion(nodeId: NodeId, partId: NodeId): MaybePromise<NodeMetadata | undefined> {
    return this.pending.newestOf(nodeId)?.meta ?? this.backend.node(nodeId, partId);
  }

  private stageBytes(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeWrite,
    previous: NodeMetadata | undefined,
  ): MaybePromise<NodeMetadata> {
    const meta = nextVersionMetadata(nodeId, partId, write, previous);
    if (!this.backend.storeContent) {
      this.pending.stageVersion({ meta, content: this.stagedCopies.copy(write.content) });
      return meta;
    }
    this.storedApart = true;
    const incoming = { bytes: write.content, sha256: write.sha256 };
    return andThen(this.backend.storeContent(incoming), (stored) => {
      this.stage(meta, stored);
      return meta;
    });
  }

  private stage(meta: NodeMetadata, stored: StoredContent): void {
    if ("ref" in stored) this.pending.stageVersion({ meta, content: EMPTY, ref: stored.ref });
    else this.pending.stageVersion({ meta, content: this.stagedCopies.copy(stored.bytes) });
  }

  /** A directory with staged changes: its next version, sized by its entries after them. */
  private stagedDirectory(dirId: NodeId): MaybePromise<NodeMetadata> {
    const newest = this.pending.created.has(dirId) ? undefined : this.backend.node(dirId, dirId);
    return andThen(newest, (committed) =>
      andThen(this.listing(dirId), (entries) => ({
        nodeId: dirId,
        partId: dirId,
        entryType: "directory",
        version: (committed?.version ?? 0) + 1,
        size: entries.length,
        sha256: "",
        timestamp: new Date(),
      })),
    );
  }

  /** The root directory before its first change: version 0, empty, as old as the pond. */
  private rootBeforeFirstChange(nodeId: NodeId): MaybePromise<NodeMetadata | undefined> {
    if (nodeId !== ROOT_ID) return undefined;
    return andThen(this.backend.history(), (history) => ({
      nodeId: ROOT_ID,
      partId: ROOT_ID,
      entryType: "directory",
      version: 0,
      size: 0,
      sha256: "",
      timestamp: history[0]?.timestamp ?? new Date(0),
    }));
  }

  /** A directory's listing with the staged changes, recorded as read whole. */
  private listing(dirId: NodeId): MaybePromise<readonly DirEntry[]> {
    if (this.pending.created.has(dirId)) return this.pending.overlay(dirId, NO_LISTING);
    const committed = this.backend.directory(dirId);
    if (committed instanceof Promise) return committed.then((c) => this.overlaid(dirId, c));
    return this.overlaid(dirId, committed);
  }

  private overlaid(dirId: NodeId, committed: ReadonlyMap<string, DirEntry>): readonly DirEntry[] {
    if (this.recording) this.reads.listed(dirId, committed);
    let listing = this.listings.get(dirId);
    if (listing?.committed !== committed) {
      listing = { committed, sorted: sortEntries([...committed.values()]) };
      this.listings.set(dirId, listing);
    }
    return this.pending.overlay(dirId, listing.sorted);
  }

  /** The staged changes as a change set: only names whose binding changes, counted. */
  private changeSet(): MaybePromise<ChangeSet> {
    if (this.pending.unbinds === 0) return this.counted();
    const waiting: Array<Promise<void>> = [];
    for (const [dirId, names] of this.pending.dirs) {
      const committed = this.pending.created.has(dirId)
        ? NO_ENTRIES
        : this.backend.directory(dirId);
      if (committed instanceof Promise) {
        waiting.push(committed.then((c) => keepBound(names, c)));
      } else {
        keepBound(names, committed);
      }
    }
    if (waiting.length > 0) return Promise.all(waiting).then(() => this.counted());
    return this.counted();
  }

  private counted(): ChangeSet {
    const { nodes, dirs, created } = this.pending;
    const partitions = this.partitions;
    partitions.clear();
    let rows = 0;
    for (const versions of nodes.values()) {
      for (const version of versions) partitions.add(version.meta.partId);
      rows += versions.length;
    }
    for (const [dirId, names] of dirs) {
      if (names.size === 0 && !created.has(dirId)) {
        dirs.delete(dirId);
        continue;
      }
      partitions.add(dirId);
      rows++;
    }
    return {
      readVersion: this.version,
      nodes,
      directories: dirs,
      created,
      rows,
      partitions: partitions.size,
      readSet: this.reads,
    };
  }

  /** Ends a commit: the sorted listings of what changed go, and the transaction's state. */
  private finish(info: CommitInfo | undefined): CommitInfo | undefined {
    if (info && info.version !== this.version + 1) {
      // Other writers' versions came in between: any directory may have changed.
      this.listings.clear();
    } else if (this.listings.size > 0) {
      for (const dirId of this.pending.dirs.keys()) this.listings.delete(dirId);
    }
    if (info) this.version = info.version;
    this.pending.clear();
    this.reads.clear();
    this.storedApart = false;
    return info;
  }
}

const NO_LISTING_VERSIONS: readonly NodeMetadata[] = [];

/** ENOENT unless the version a read means exists. */
function found(meta: NodeMetadata | undefined, version: number | undefined): NodeMetadata {
  if (meta) return meta;
  throw new PondError("ENOENT", version === undefined ? "no content" : `no version ${version}`);
}

/** Drops the unbinding of names the committed listing does not have: they change nothing. */
function keepBound(names: Map<string, DirEntry | null>, committed: ReadonlyMap<string, DirEntry>) {
  for (const [name, entry] of names) if (entry === null && !committed.has(name)) names.delete(name);
}
