// The working-directory API: every path operation of a pond.

import type { DynamicReader } from "./dynamic-node.js";
import type { PondError } from "./errors.js";
import type { DirEntry, EntryType, NodeMetadata } from "./node.js";
import type { NodeId } from "./node-id.js";

export interface WriteFileOptions {
  /** The file's type when it is created (default `file:data`); EINVAL if it differs from an existing file's. */
  entryType?: EntryType;
  attrs?: Record<string, string>;
  minEventTime?: number;
  maxEventTime?: number;
}

export interface GlobMatch {
  /** The match's path, relative to the WD for a relative pattern, absolute for an absolute one. */
  path: string;
  entry: DirEntry;
  /** What each `*` matched, in pattern order. */
  captures: string[];
  /** The entry's newest version, when {@link GlobOptions.metadata} asked for it. */
  metadata?: NodeMetadata;
  /**
   * For an entry a dynamic node computes (see {@link GlobOptions.dynamic}), that node's absolute
   * path; `entry` then carries the node's ids, and there is no metadata.
   */
  dynamicNode?: string;
}

/** What {@link WD.glob} and {@link WD.walk} do with what they cannot walk. */
export interface WalkErrors {
  /**
   * Takes what cannot be walked (a directory that cannot be read, an invalid name, a directory
   * met in a second place, a symlink loop), each a PondError naming its path, and the walk goes
   * on without it. Without it the first such error ends the walk.
   */
  onError?: (error: PondError) => void;
}

export interface GlobOptions extends WalkErrors {
  /**
   * Load every match's {@link GlobMatch.metadata} from the entry the walk holds: the cost of a
   * lookup by path, which grows with the depth, is not paid per match.
   */
  metadata?: boolean;
  /**
   * Reach into dynamic nodes through this reader: a pattern component below a dynamic node
   * matches what it computes. Without it, a dynamic node is a file like any other. A trailing
   * `**` above a dynamic node does not descend into it (that would compute every output of
   * every node); one below it, as in `/views/weather/**`, lists all it computes.
   */
  dynamic?: DynamicReader;
}

export interface WalkOptions extends WalkErrors {
  /** Descend into symlinks that lead to directories; a link back into the way down is ELOOP. */
  followSymlinks?: boolean;
  /** Load every entry's {@link WalkEntry.metadata} as it is met. */
  metadata?: boolean;
}

/** What {@link WD.walk} meets: one entry below the start. */
export interface WalkEntry {
  /** The start path joined with the names on the way down. */
  path: string;
  /** The names below the start, joined with `/`. */
  relative: string;
  /** The entry as its directory holds it (a symlink is not resolved). */
  entry: DirEntry;
  /** The directory holding the entry. */
  parentId: NodeId;
  /** The newest version of the entry's node (a symlink's own), with `metadata: true`. */
  metadata?: NodeMetadata;
}

/**
 * A directory of a pond and the operations on paths relative to it.
 *
 * Paths: `/` separates and a leading `/` starts at the root; repeated `/`
 * collapse; `.` is skipped; `..` goes to the parent and never above the root;
 * a trailing `/` demands a directory. Symlinks are followed in every
 * component but the last, and in the last for reads (`readFile`, `stat`,
 * `exists`, `readdir`, `openDirPath`, `listFileVersions`) and `writeFile`.
 * More than 32 symlink hops, or a cycle, is ELOOP.
 *
 * A mutating call outside `fs.transaction()` commits on its own. A call that
 * fails changes nothing.
 */
export interface WD {
  /** The WD's absolute path. */
  readonly path: string;
  /** The directory's node id. */
  readonly nodeId: NodeId;

  /** Creates a directory (with `recursive`, its missing parents too and no EEXIST). */
  createDirPath(path: string, opts?: { recursive?: boolean }): Promise<WD>;
  /** The directory at `path`. */
  openDirPath(path: string): Promise<WD>;
  /** Creates a file, or adds a new version to an existing one. */
  writeFile(
    path: string,
    data: Uint8Array | string,
    opts?: WriteFileOptions,
  ): Promise<NodeMetadata>;
  /** Like writeFile, with the content from a stream (memory stays bounded on backends that stream). */
  writeFileFrom(
    path: string,
    source: AsyncIterable<Uint8Array>,
    opts?: WriteFileOptions,
  ): Promise<NodeMetadata>;
  /**
   * A web WritableStream that writes a new version of the file; closing it
   * commits (outside a transaction), and its close() rejects with the PondError
   * if the write fails. The FS is held until the stream is closed or aborted.
   */
  createWriteStream(path: string, opts?: WriteFileOptions): WritableStream<Uint8Array>;
  /** A web ReadableStream of a file version's bytes, checked against its sha256. */
  createReadStream(path: string, opts?: { version?: number }): Promise<ReadableStream<Uint8Array>>;
  /** A file's bytes: the newest version, or the given one. */
  readFile(path: string, opts?: { version?: number }): Promise<Uint8Array>;
  /** Creates a symlink at `path` pointing at `target` (stored as given). */
  createSymlinkPath(path: string, target: string): Promise<void>;
  /** A symlink's target. */
  readlink(path: string): Promise<string>;
  /** Whether `path` names something (a dangling symlink does not). */
  exists(path: string): Promise<boolean>;
  /** Metadata of the newest version of what `path` names, symlinks followed. */
  stat(path: string): Promise<NodeMetadata>;
  /** Like stat, but a final symlink is described rather than followed. */
  lstat(path: string): Promise<NodeMetadata>;
  /** A directory's entries, sorted by name. */
  readdir(path?: string): Promise<DirEntry[]>;
  /** Removes a file, symlink or empty directory (any directory with `recursive`). */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Moves or renames; replaces a file at `to`, or an empty directory when moving a directory. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Paths matching a pattern of literal, `*` and `**` components, depth first in name order,
   * found as the iteration goes (memory does not grow with the tree). Each directory is read
   * when the walk reaches it: outside a transaction or a version view, directories read later
   * may show later versions.
   */
  glob(pattern: string, options?: GlobOptions): AsyncIterable<GlobMatch>;
  /**
   * Every entry below the directory at `path` (not the directory itself), depth first in name
   * order, a directory before what is in it; read as {@link glob} reads.
   */
  walk(path: string, options?: WalkOptions): AsyncIterable<WalkEntry>;
  /** Every version of the node at `path`, oldest first. */
  listFileVersions(path: string): Promise<NodeMetadata[]>;
}
