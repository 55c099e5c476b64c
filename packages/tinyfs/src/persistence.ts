// The storage contract (Layer 1) that every pond backend implements.

import type { MaybePromise } from "./maybe-promise.js";
import type { CommitInfo, CommitMeta, DirEntry, EntryType, NodeMetadata } from "./node.js";
import type { NodeId } from "./node-id.js";

/** A new version of a node, as the FS hands it to the backend. */
export interface NodeWrite {
  entryType: EntryType;
  /** File bytes or the UTF-8 symlink target; empty for a directory. */
  content: Uint8Array;
  /** Byte length of `content`. */
  size: number;
  /** Hex sha256 of `content` ("" for a directory). */
  sha256: string;
  minEventTime?: number;
  maxEventTime?: number;
  attrs?: Record<string, string>;
  /** The node id is brand new: the backend need not look for earlier versions. */
  isNew?: boolean;
}

/** A new file version whose content arrives as a stream. */
export type NodeStreamWrite = Omit<NodeWrite, "content" | "size" | "sha256">;

/** A change to one name of a directory. */
export type DirectoryOperation =
  /** Bind the name to a child, replacing whatever it named. */
  | { kind: "insert"; child: Omit<DirEntry, "name"> }
  /** Unbind the name. */
  | { kind: "delete" }
  /** Move the name's binding to `newName` in the same directory, replacing what `newName` named. */
  | { kind: "rename"; newName: string };

/**
 * Layer 1 of pond: durable (or in-memory) storage of nodes and directories.
 *
 * Writes are staged in one open transaction until {@link commit}; every read
 * includes the staged changes. The FS serialises calls, so a backend sees one
 * call at a time per instance. Reads of unknown nodes resolve to `undefined`
 * rather than throwing; failures are `PondError`s (CORRUPT, EIO, CLOSED,
 * CONFLICT …).
 */
export interface PersistenceLayer {
  /** True for a view that refuses writes (time travel, read-only opens). */
  readonly readOnly: boolean;

  /** The newest version of a node, or undefined if it has none (synchronously when at hand). */
  loadNode(nodeId: NodeId, partId: NodeId): MaybePromise<NodeMetadata | undefined>;

  /** Whether the node has at least one version. */
  existsNode(nodeId: NodeId, partId: NodeId): Promise<boolean>;

  /**
   * Stages a new version of a node (version = newest + 1) and returns its
   * metadata. A directory is created by storing its first version; later
   * directory versions come from {@link updateDirectoryEntry}.
   */
  storeNode(nodeId: NodeId, partId: NodeId, write: NodeWrite): MaybePromise<NodeMetadata>;

  /**
   * Optional: like {@link storeNode} for content that arrives as a stream, so
   * a backend can store large files without holding them in memory. The
   * backend computes size and sha256. Without it the FS buffers the stream.
   */
  storeNodeFrom?(
    nodeId: NodeId,
    partId: NodeId,
    write: NodeStreamWrite,
    source: AsyncIterable<Uint8Array>,
  ): Promise<NodeMetadata>;

  /**
   * Optional: the content of a file version as a stream, verified against
   * its sha256 (the stream errors with CORRUPT on a mismatch). Without it the
   * FS reads the content whole.
   */
  openContent?(
    nodeId: NodeId,
    partId: NodeId,
    version?: number,
  ): Promise<ReadableStream<Uint8Array>>;

  /** Every version of a node, oldest first (empty if it has none). */
  listVersions(nodeId: NodeId, partId: NodeId): Promise<NodeMetadata[]>;

  /**
   * The content of a file or symlink version (the newest when `version` is
   * omitted). Throws ENOENT when that version does not exist, CORRUPT when the
   * stored bytes do not match their sha256.
   */
  readContent(nodeId: NodeId, partId: NodeId, version?: number): MaybePromise<Uint8Array>;

  /**
   * One name of a directory; the transaction depends on that name only. Path
   * resolution calls this for every component, so a backend should answer
   * synchronously when it has the answer at hand.
   */
  lookupEntry(dirId: NodeId, name: string): MaybePromise<DirEntry | undefined>;

  /** The whole listing of a directory, sorted by name; the transaction depends on all of it. */
  loadDirectoryEntries(dirId: NodeId): Promise<DirEntry[]>;

  /** Stages a change to one name; the FS has already checked it is valid. */
  updateDirectoryEntry(dirId: NodeId, name: string, op: DirectoryOperation): MaybePromise<void>;

  /**
   * Called before each transaction (and each lone operation): the backend may
   * move to the newest committed version. Nothing is staged at this point.
   */
  begin(): Promise<void> | void;

  /** A mark in the open transaction that {@link rollbackTo} can return to. */
  savepoint(): number;

  /** Discards the changes staged after `savepoint`. */
  rollbackTo(savepoint: number): void;

  /**
   * Makes the staged changes one durable pond version. Resolves to undefined
   * (and writes nothing) when nothing is staged. Throws CONFLICT when a
   * concurrent writer changed what the transaction depends on; the staged
   * changes are then discarded.
   */
  commit(meta: CommitMeta): MaybePromise<CommitInfo | undefined>;

  /** Discards every staged change. */
  rollback(): Promise<void>;

  /** The newest committed pond version this instance sees. */
  currentVersion(): number;

  /** Every committed version, oldest first; version 0 is the pond's creation. */
  history(): Promise<CommitInfo[]>;

  /** A read-only view of the whole pond as of `version`. EINVAL if there is no such version. */
  atVersion(version: number): Promise<PersistenceLayer>;

  /** Releases resources; later calls throw CLOSED. */
  close(): Promise<void>;
}
