// Hostile tables for tests: rows appended by the delta-rs Python package, as another Delta writer
// (or an attacker) would append them to a pond someone then sends.

import { type NodeId, ROOT_ID, sha256Hex } from "@pond/tinyfs";
import {
  type DirectoryChange,
  type DirectoryRecordRow,
  encodeDirectoryChanges,
} from "../directory-record.js";
import { OpLogTable } from "../table.js";
import type { PythonRow } from "./python.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A directory record row holding `content`, for decoding it alone. */
export function asRecord(content: Uint8Array): DirectoryRecordRow {
  return { content, nodeId: "d", partId: "d", version: 1, txnSeq: 1 };
}

/** A file version row with `content` inline, its size and sha256 as they should be. */
export function fileRow(
  partId: NodeId,
  nodeId: NodeId,
  content: Uint8Array,
  fields: Partial<PythonRow> = {},
): PythonRow {
  return {
    part_id: partId,
    node_id: nodeId,
    entry_type: "file:data",
    version: 1,
    timestamp: Date.now() * 1000,
    content: hex(content),
    size: content.length,
    sha256: sha256Hex(content),
    ...fields,
  };
}

/** The next record of directory `dirId` (its version follows the newest one) with `changes`. */
export async function recordRow(
  path: string,
  dirId: NodeId,
  changes: DirectoryChange[],
): Promise<PythonRow> {
  const table = await OpLogTable.open(path);
  const records = await table.scan(dirId, dirId).finally(() => table.close());
  return {
    part_id: dirId,
    node_id: dirId,
    entry_type: "directory",
    version: records.filter((r) => r.nodeId === dirId).length + 1,
    timestamp: Date.now() * 1000,
    content: hex(encodeDirectoryChanges(changes)),
    size: changes.length,
    sha256: "",
  };
}

/** An insert of `name` into a directory, naming file `nodeId` of partition `partId`. */
export function insert(name: string, nodeId: NodeId, partId: NodeId = ROOT_ID): DirectoryChange {
  return { name, op: "insert", entry: { name, nodeId, partId, entryType: "file:data" } };
}
