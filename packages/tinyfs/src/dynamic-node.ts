// Dynamic nodes: files holding the config of a computation whose results are read in their place.

import type { EntryType, FileEntryType, NodeMetadata } from "./node.js";

/**
 * The attr that makes a `file:data` node a dynamic node: its value is the kind (the computation
 * that reads the config), the node's content the config as JSON. The node is versioned and time
 * travels as any file does, and a reader that knows no kinds sees a small JSON file. Its content
 * is written only with this attr given (`pond mknod`, `pond apply`): any other write to it, or
 * into a path below it, is EROFS.
 */
export const DYNAMIC_KIND_ATTR = "pond.dynamic";

/** The kind of a dynamic node, or undefined for any other node. */
export function dynamicKind(meta: Pick<NodeMetadata, "entryType" | "attrs">): string | undefined {
  return meta.entryType === "file:data" ? meta.attrs?.[DYNAMIC_KIND_ATTR] : undefined;
}

/** A file a dynamic node computes, as a {@link DynamicReader} answers it. */
export interface ComputedFile {
  readonly bytes: Uint8Array;
  readonly entryType: FileEntryType;
  readonly attrs: Record<string, string>;
}

/**
 * Reads what dynamic nodes compute: the package that knows their kinds provides one (as a query
 * engine is provided), and globs and queries given one reach into dynamic nodes through it. Paths
 * are absolute, at or below a dynamic node, in the pond (and version) the reader was made for.
 */
export interface DynamicReader {
  /** The computed entries of the dynamic directory at `path`, sorted by name; ENOTDIR for a file. */
  readdir(path: string): Promise<readonly { name: string; entryType: EntryType }[]>;
  /** The computed file at `path`; EISDIR for a directory. */
  readFile(path: string): Promise<ComputedFile>;
}
