// What a node is: its type, its identity and the metadata of one of its versions.

import type { NodeId } from "./node-id.js";

export type FileEntryType = "file:data" | "file:table" | "file:series";
export type EntryType = "directory" | "symlink" | FileEntryType;

export const ENTRY_TYPES: readonly EntryType[] = [
  "directory",
  "symlink",
  "file:data",
  "file:table",
  "file:series",
];

export function isEntryType(value: unknown): value is EntryType {
  return typeof value === "string" && (ENTRY_TYPES as readonly string[]).includes(value);
}

export function isFileType(type: EntryType): type is FileEntryType {
  return type.startsWith("file:");
}

/** One version of one node. */
export interface NodeMetadata {
  nodeId: NodeId;
  /** The partition holding the node's records: its directory, or a directory's own id. */
  partId: NodeId;
  entryType: EntryType;
  /** The node's own version: 1, 2, 3 … (the root directory starts at 0). */
  version: number;
  /** Content bytes: file length, symlink target length, or a directory's entry count. */
  size: number;
  /** Hex sha256 of the content (empty for directories). */
  sha256: string;
  /** When the version was committed (staged, while its transaction is open). */
  timestamp: Date;
  /** The pond version (transaction) the node version committed in; undefined while pending. */
  txnSeq?: number;
  /** For a `file:series` chunk: its event-time range in epoch milliseconds (min floored, max ceiled). */
  minEventTime?: number;
  maxEventTime?: number;
  /** Extended attributes (e.g. the name of a series' timestamp column). */
  attrs?: Record<string, string>;
}

/** A name in a directory. */
export interface DirEntry {
  name: string;
  nodeId: NodeId;
  /** Where the child's records live; a file keeps its partition when moved. */
  partId: NodeId;
  entryType: EntryType;
}

/** One committed pond version. */
export interface CommitInfo {
  version: number;
  timestamp: Date;
  message?: string;
  /** Free-form metadata recorded with the commit (e.g. the command line). */
  meta?: Record<string, string>;
  /** Node versions written by the commit. */
  rows?: number;
  /** Partitions (directories) the commit wrote to. */
  partitions?: number;
}

/** What a caller may attach to a transaction. */
export interface CommitMeta {
  message?: string;
  meta?: Record<string, string>;
}
