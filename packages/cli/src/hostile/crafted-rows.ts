// Rows and names as crafted changes write them: pond's own layout, with true sizes and sha256s
// unless a change means to lie.

import { type NodeId, sha256Hex } from "@pond/tinyfs";
import type { CraftedEntry, CraftedRow } from "./delta-worker.js";

/** Bytes as the worker takes them. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** An insert of `name` bound to `child` in a directory record. */
export function insertEntry(
  name: string,
  child: { nodeId: NodeId; partId: NodeId; entryType: string },
): CraftedEntry {
  return {
    name,
    child_node_id: child.nodeId,
    child_part_id: child.partId,
    child_entry_type: child.entryType,
    op: "insert",
  };
}

/** The row of a new inline file (or symlink) version, with its true size and sha256. */
export function fileRow(
  partId: NodeId,
  nodeId: NodeId,
  version: number,
  content: Uint8Array,
  entryType = "file:data",
): CraftedRow {
  return {
    part_id: partId,
    node_id: nodeId,
    entry_type: entryType,
    version,
    content: base64(content),
    size: content.length,
    sha256: sha256Hex(content),
  };
}

/** A new directory's first record: empty, in its own partition. */
export function emptyDirectoryRow(nodeId: NodeId): CraftedRow {
  return {
    part_id: nodeId,
    node_id: nodeId,
    entry_type: "directory",
    version: 1,
    size: 0,
    changes: [],
  };
}

/** The pond path of `name` in the directory at `dir`. */
export function childPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
