// The storage contract (Layer 1) that every pond backend implements: committed state only.

import type { MaybePromise } from "../maybe-promise.js";
import type { CommitInfo, CommitMeta, DirEntry, NodeMetadata } from "../node.js";
import type { NodeId } from "../node-id.js";
import type { ReadSet } from "./read-set.js";

/** One new version of a file or symlink in a change set. */
export interface StagedVersion {
  /** Its metadata: `version` is the node's newest committed version + 1; no `txnSeq` yet. */
  readonly meta: NodeMetadata;
  /** The bytes (file content or UTF-8 symlink target); empty when `ref` says where they are. */
  readonly content: Uint8Array;
  /** Where {@link PersistenceLayer.storeContent} put the bytes, when it did. */
  readonly ref?: string;
}

/** What one transaction changes, handed to {@link PersistenceLayer.commit}. */
export interface ChangeSet {
  /** The version the transaction read: what {@link PersistenceLayer.begin} answered. */
  readonly readVersion: number;
  /** New versions of files and symlinks, per node, oldest first. */
  readonly nodes: ReadonlyMap<NodeId, readonly StagedVersion[]>;
  /**
   * Per directory, the names whose binding changes: the entry now bound, or null for a
   * committed name now unbound. A directory the transaction created may have no names.
   */
  readonly directories: ReadonlyMap<NodeId, ReadonlyMap<string, DirEntry | null>>;
  /** The directories the transaction created (each is also in `directories`). */
  readonly created: ReadonlySet<NodeId>;
  /** Node versions plus directory records the commit adds: one per staged version and per directory. */
  readonly rows: number;
  /** Partitions written: the distinct `partId`s of the staged versions and the directories. */
  readonly partitions: number;
  /** What the transaction read, for a backend that other writers commit to meanwhile. */
  readonly readSet: ReadSet;
}

/**
 * What {@link PersistenceLayer.storeContent} did with a content: stored it under
 * `ref`, or left the bytes to be staged with the change set like any other.
 */
export type StoredContent =
  | { size: number; sha256: string; ref: string }
  | { size: number; sha256: string; bytes: Uint8Array };

/** A file version's content on its way to being staged: whole, with its sha256, or streamed. */
export type IncomingContent =
  | { bytes: Uint8Array; sha256: string }
  | { stream: AsyncIterable<Uint8Array> };

/**
 * Layer 1 of pond: a backend keeps committed state, nothing else. It answers
 * reads at the version {@link begin} moved it to, commits a change set as the
 * next version, lists its history, opens an older version and closes.
 *
 * Everything a transaction stages (new versions, directory changes, undo to
 * savepoints), every read of staged state, the read set, the root directory
 * before its first change, closed and read-only checks and argument checks are
 * the FS's: a backend sees committed reads, one commit per transaction, and no
 * call after {@link close}.
 *
 * Every member may answer with a value or a native Promise of it. Answer
 * synchronously when the answer is at hand: the FS then stays synchronous up to
 * the one promise each WD method returns. Reads of what does not exist answer
 * `undefined` (or empty); failures are `PondError`s (CORRUPT, EIO, ENOSPC,
 * CONFLICT …).
 *
 * The FS hands over what it commits and copies what it reads: a backend may keep
 * the change set's bytes and entries, and may return the bytes and maps it keeps.
 * Calls come from one transaction at a time; its reads may overlap.
 */
export interface PersistenceLayer {
  /**
   * Starts a transaction (or a lone operation): move to the newest committed
   * version if another writer committed one, and answer the version that reads
   * now see. A view from {@link atVersion} answers its own version.
   */
  begin(): MaybePromise<number>;

  /** The newest committed version of a node, or undefined when it has none. */
  node(nodeId: NodeId, partId: NodeId): MaybePromise<NodeMetadata | undefined>;

  /** Every committed version of a node, oldest first (empty when it has none); directories too. */
  versions(nodeId: NodeId, partId: NodeId): MaybePromise<readonly NodeMetadata[]>;

  /**
   * The committed entries of a directory by name (empty when it has none). The FS
   * never changes the map; it keeps a sorted copy until the next commit or a
   * {@link begin} that answers another version, the only times the map may change.
   */
  directory(dirId: NodeId): MaybePromise<ReadonlyMap<string, DirEntry>>;

  /**
   * The content of a committed file or symlink version (one {@link node} or
   * {@link versions} answered), or, given `ref`, content {@link storeContent}
   * stored for the open transaction. Large content may come as a stream, which
   * errors with CORRUPT if the bytes do not match the version's sha256.
   */
  readContent(
    version: NodeMetadata,
    ref?: string,
  ): MaybePromise<Uint8Array | ReadableStream<Uint8Array>>;

  /**
   * Optional, for a backend whose query engine reads stored contents where they are: a locator
   * of a committed version's content (or, given `ref`, of content {@link storeContent} stored
   * for the open transaction) that the engine understands. Without it, queries are handed the
   * bytes.
   */
  locateContent?(version: NodeMetadata, ref?: string): MaybePromise<unknown>;

  /**
   * Optional, for a backend that keeps large contents apart from its commits:
   * takes a file version's content before it is staged, whole (with its
   * sha256) or as a stream to consume, hashing as it goes. Answer the ref it
   * was stored under, or the bytes (those given, or those the stream held) to
   * have them staged with the change set. Without this member the FS stages
   * every content with the change set and buffers streams.
   */
  storeContent?(content: IncomingContent): MaybePromise<StoredContent>;

  /**
   * Makes the change set one new version, strictly `readVersion + 1`: when
   * another writer took that version, go on at the next one only if nothing the
   * change set or its read set depends on changed, else throw CONFLICT and write
   * nothing. An empty change set commits nothing and answers undefined; the FS
   * sends one when a transaction that stored content rolls back, so that content
   * stored for it and not committed can be taken back.
   */
  commit(changes: ChangeSet, meta: CommitMeta): MaybePromise<CommitInfo | undefined>;

  /**
   * Every committed version, oldest first; version 0 is the pond's creation (the
   * FS shows a view only the versions up to its own).
   */
  history(): MaybePromise<readonly CommitInfo[]>;

  /** A view of the pond as of `version`, an integer no newer than the newest (the FS checks). */
  atVersion(version: number): MaybePromise<PersistenceLayer>;

  /** Releases what the backend holds; the FS makes no call after it. */
  close(): MaybePromise<void>;
}
