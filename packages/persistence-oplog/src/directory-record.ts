// A directory record's content: the changes one transaction made, as Arrow IPC
// ({ name, child_node_id, child_part_id, child_entry_type, op }); the native addon does the codec.

import type { DirEntry } from "@pond/tinyfs";
import { isEntryType, shown } from "@pond/tinyfs/backend";
import { Field, Schema, tableFromIPC, Uint32, Utf8 } from "apache-arrow";
import { ipcOf, uint32Column, utf8Column } from "./arrow-ipc.js";
import {
  decodeDirectoryRecords as nativeDecode,
  encodeDirectoryRecords as nativeEncode,
} from "./native.js";
import { fromNative } from "./native-error.js";
import { corruptRow, nameProblem, type RowKey } from "./row-validation.js";
import type { OpLogRow } from "./rows.js";

/** One changed name: bound to a child (insert/update) or unbound (delete). */
export interface DirectoryChange {
  name: string;
  op: "insert" | "update" | "delete";
  entry: DirEntry | null;
}

const ENTRIES_SCHEMA = new Schema([
  new Field("record", new Uint32(), false),
  new Field("name", new Utf8(), false),
  new Field("child_node_id", new Utf8(), true),
  new Field("child_part_id", new Utf8(), true),
  new Field("child_entry_type", new Utf8(), true),
  new Field("op", new Utf8(), false),
]);

/** The contents of several records at once: one native call for all of them. */
export function encodeDirectoryRecords(records: readonly DirectoryChange[][]): Uint8Array[] {
  if (records.length === 0) return [];
  const record: number[] = [];
  const changes: DirectoryChange[] = [];
  for (const [i, list] of records.entries()) {
    for (const change of list) {
      record.push(i);
      changes.push(change);
    }
  }
  const entries = ipcOf(
    ENTRIES_SCHEMA,
    [
      uint32Column(record),
      utf8Column(changes.map((c) => c.name)),
      utf8Column(changes.map((c) => c.entry?.nodeId ?? null)),
      utf8Column(changes.map((c) => c.entry?.partId ?? null)),
      utf8Column(changes.map((c) => c.entry?.entryType ?? null)),
      utf8Column(changes.map((c) => c.op)),
    ],
    changes.length,
  );
  let encoded: Uint8Array[];
  try {
    encoded = nativeEncode(entries);
  } catch (error) {
    throw fromNative(error);
  }
  // A record with no changes (a directory just created) has no rows to carry its index.
  while (encoded.length < records.length) encoded.push(encodeEmpty());
  return encoded;
}

let empty: Uint8Array | undefined;
/** A record without changes (a directory just created): the per-record schema, no rows. */
function encodeEmpty(): Uint8Array {
  empty ??= ipcOf(
    new Schema(ENTRIES_SCHEMA.fields.slice(1)),
    [utf8Column([]), utf8Column([]), utf8Column([]), utf8Column([]), utf8Column([])],
    0,
  );
  return empty;
}

/** A directory record row: whose content it is, for errors that name it. */
export type DirectoryRecordRow = RowKey & Pick<OpLogRow, "content">;

const OPS: ReadonlySet<string> = new Set(["insert", "update", "delete"]);
const NO_CONTENT = new Uint8Array(0);

/** Why a decoded entry change cannot be used, or undefined. */
function changeProblem(
  name: unknown,
  op: unknown,
  nodeId: unknown,
  partId: unknown,
  type: unknown,
): string | undefined {
  if (typeof op !== "string" || !OPS.has(op)) return `unknown operation ${shown(String(op))}`;
  const bad = nameProblem(name);
  if (bad !== undefined) return bad;
  if (op === "delete") return undefined;
  if (typeof nodeId !== "string" || nodeId === "" || typeof partId !== "string" || partId === "") {
    return "no child node or partition";
  }
  return isEntryType(type) ? undefined : `unknown entry type ${shown(String(type))}`;
}

/** Decodes contents natively; CORRUPT naming the first record that cannot be decoded. */
function decodeNatively(records: readonly DirectoryRecordRow[]): Uint8Array {
  const contents = records.map((row) => row.content ?? NO_CONTENT);
  try {
    return nativeDecode(contents);
  } catch (error) {
    // One at a time to find which: only on this error path.
    for (const [i, content] of contents.entries()) {
      try {
        nativeDecode([content]);
      } catch (one) {
        const detail = fromNative(one).detail;
        throw corruptRow(records[i] as DirectoryRecordRow, `directory record: ${detail}`);
      }
    }
    throw fromNative(error);
  }
}

/**
 * The changes of several directory records, each entry validated (its name, operation, child
 * and type): CORRUPT naming the record and the entry otherwise.
 */
export function decodeDirectoryRecords(
  records: readonly DirectoryRecordRow[],
): DirectoryChange[][] {
  const decoded: DirectoryChange[][] = records.map(() => []);
  if (records.length === 0) return decoded;
  const table = tableFromIPC(decodeNatively(records));
  const column = (name: string) => {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`decoded directory records lack the column ${name}`);
    return vector;
  };
  const indexes = column("record");
  const names = column("name");
  const nodeIds = column("child_node_id");
  const partIds = column("child_part_id");
  const types = column("child_entry_type");
  const ops = column("op");
  for (let i = 0; i < table.numRows; i++) {
    const record = indexes.get(i) as number;
    const name = names.get(i);
    const op = ops.get(i);
    const nodeId = nodeIds.get(i);
    const partId = partIds.get(i);
    const type = types.get(i);
    const problem = changeProblem(name, op, nodeId, partId, type);
    if (problem !== undefined) {
      throw corruptRow(
        records[record] as DirectoryRecordRow,
        `directory record: entry ${shown(String(name))}: ${problem}`,
      );
    }
    (decoded[record] as DirectoryChange[]).push({
      name,
      op,
      entry: op === "delete" ? null : { name, nodeId, partId, entryType: type },
    });
  }
  return decoded;
}

export function encodeDirectoryChanges(changes: readonly DirectoryChange[]): Uint8Array {
  return encodeDirectoryRecords([[...changes]])[0] as Uint8Array;
}

export function decodeDirectoryChanges(record: DirectoryRecordRow): DirectoryChange[] {
  return decodeDirectoryRecords([record])[0] as DirectoryChange[];
}
