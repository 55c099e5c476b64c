// The op-log table's rows and their Arrow IPC encoding (one row per node version).

import { type Data, tableFromIPC } from "apache-arrow";
import { int32Column, int64Column, ipcOf, timestampColumn, utf8Column } from "./arrow-ipc.js";
import { commitSchema } from "./native.js";
import { corruptRow, rowProblem } from "./row-validation.js";

export interface OpLogRow {
  /** The directory the record belongs to (a directory's own id for its records). */
  partId: string;
  nodeId: string;
  entryType: string;
  /** The node's own version. */
  version: number;
  /** The pond version (Delta version) the row committed in. */
  txnSeq: number;
  /** Commit time, epoch milliseconds (stored as microseconds; apache-arrow converts). */
  timestamp: number;
  /** Inline file bytes, symlink target, or directory changes. */
  content: Uint8Array | null;
  /** A large file's content-addressed path under the table root. */
  contentRef: string | null;
  size: number;
  sha256: string;
  minEventTime: number | null;
  maxEventTime: number | null;
  /** JSON object of extended attributes. */
  attrs: string | null;
}

/**
 * The table's columns but `content`, then where each row's content is (see {@link CommitRows}),
 * as the addon declares them.
 */
const COMMIT_SCHEMA = tableFromIPC(commitSchema()).schema;

/**
 * What a commit hands the addon: its rows as Arrow IPC without their contents, and the buffers
 * the contents are in (staged contents share blocks), which each row locates by index, offset
 * and length: contents are neither copied nor held in an Arrow array, whose 2 GiB they could
 * exceed.
 */
export interface CommitRows {
  rows: Uint8Array;
  contents: Uint8Array[];
}

export function encodeRows(rows: readonly OpLogRow[]): CommitRows {
  const contents: Uint8Array[] = [];
  const blocks = new Map<ArrayBufferLike, number>();
  const block: Array<number | null> = new Array(rows.length);
  const offset: Array<number | null> = new Array(rows.length);
  const length: Array<number | null> = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const content = (rows[i] as OpLogRow).content;
    if (!content) {
      block[i] = offset[i] = length[i] = null;
      continue;
    }
    let index = blocks.get(content.buffer);
    if (index === undefined) {
      index = contents.length;
      blocks.set(content.buffer, index);
      contents.push(new Uint8Array(content.buffer));
    }
    block[i] = index;
    offset[i] = content.byteOffset;
    length[i] = content.byteLength;
  }
  const column = <T>(pick: (row: OpLogRow) => T) => rows.map(pick);
  const columns: Record<string, Data> = {
    part_id: utf8Column(column((r) => r.partId)),
    node_id: utf8Column(column((r) => r.nodeId)),
    entry_type: utf8Column(column((r) => r.entryType)),
    version: int64Column(column((r) => r.version)),
    txn_seq: int64Column(column((r) => r.txnSeq)),
    timestamp: timestampColumn(column((r) => r.timestamp)),
    content_ref: utf8Column(column((r) => r.contentRef)),
    size: int64Column(column((r) => r.size)),
    sha256: utf8Column(column((r) => r.sha256)),
    min_event_time: int64Column(column((r) => r.minEventTime)),
    max_event_time: int64Column(column((r) => r.maxEventTime)),
    attrs: utf8Column(column((r) => r.attrs)),
    content_block: int32Column(block),
    content_offset: int32Column(offset),
    content_length: int32Column(length),
  };
  const encoded = ipcOf(
    COMMIT_SCHEMA,
    COMMIT_SCHEMA.fields.map((field) => {
      const data = columns[field.name];
      if (!data) throw new Error(`pond has no value for the op-log column ${field.name}`);
      return data;
    }),
    rows.length,
  );
  return { rows: encoded, contents };
}

const toNumber = (v: unknown): number => (typeof v === "bigint" ? Number(v) : (v as number));
const toNumberOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : toNumber(v);

/** A row that failed validation, and why (see row-validation.ts). */
export interface InvalidRow {
  row: OpLogRow;
  problem: string;
}

/**
 * Rows from an IPC stream of the table's schema, each validated: CORRUPT naming the first that
 * is not valid, or, given `invalid`, each such row handed to it and left out.
 */
export function decodeRows(ipc: Uint8Array, invalid?: (found: InvalidRow) => void): OpLogRow[] {
  const table = tableFromIPC(ipc);
  const col = (name: string) => {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`op-log rows lack the column ${name}`);
    return vector;
  };
  const partId = col("part_id");
  const nodeId = col("node_id");
  const entryType = col("entry_type");
  const version = col("version");
  const txnSeq = col("txn_seq");
  const timestamp = col("timestamp");
  const content = col("content");
  const contentRef = col("content_ref");
  const size = col("size");
  const sha256 = col("sha256");
  const minEventTime = col("min_event_time");
  const maxEventTime = col("max_event_time");
  const attrs = col("attrs");
  const rows: OpLogRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: OpLogRow = {
      partId: partId.get(i),
      nodeId: nodeId.get(i),
      entryType: entryType.get(i),
      version: toNumber(version.get(i)),
      txnSeq: toNumber(txnSeq.get(i)),
      timestamp: toNumber(timestamp.get(i)),
      content: content.get(i),
      contentRef: contentRef.get(i),
      size: toNumber(size.get(i)),
      sha256: sha256.get(i),
      minEventTime: toNumberOrNull(minEventTime.get(i)),
      maxEventTime: toNumberOrNull(maxEventTime.get(i)),
      attrs: attrs.get(i),
    };
    const problem = rowProblem(row);
    if (problem === undefined) rows.push(row);
    else if (invalid) invalid({ row, problem });
    else throw corruptRow(row, problem);
  }
  return rows;
}
