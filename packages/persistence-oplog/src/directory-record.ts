// A directory record's content: the changes one transaction made, as Arrow IPC
// ({ name, child_node_id, child_part_id, child_entry_type, op }); the native addon does the codec.

import type { DirEntry, EntryType } from "@pond/tinyfs";
import { Field, Schema, tableFromIPC, Uint32, Utf8 } from "apache-arrow";
import { ipcOf, uint32Column, utf8Column } from "./arrow-ipc.js";
import {
  decodeDirectoryRecords as nativeDecode,
  encodeDirectoryRecords as nativeEncode,
} from "./native.js";
import { fromNative } from "./native-error.js";

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

/** The changes of several records; CORRUPT when one cannot be decoded. */
export function decodeDirectoryRecords(contents: readonly Uint8Array[]): DirectoryChange[][] {
  const decoded: DirectoryChange[][] = contents.map(() => []);
  if (contents.length === 0) return decoded;
  let ipc: Uint8Array;
  try {
    ipc = nativeDecode([...contents]);
  } catch (error) {
    throw fromNative(error);
  }
  const table = tableFromIPC(ipc);
  const column = (name: string) => {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`decoded directory records lack the column ${name}`);
    return vector;
  };
  const records = column("record");
  const names = column("name");
  const nodeIds = column("child_node_id");
  const partIds = column("child_part_id");
  const types = column("child_entry_type");
  const ops = column("op");
  for (let i = 0; i < table.numRows; i++) {
    const name = names.get(i) as string;
    const op = ops.get(i) as DirectoryChange["op"];
    if (op !== "insert" && op !== "update" && op !== "delete") {
      throw new Error(`unknown directory operation ${String(op)}`);
    }
    (decoded[records.get(i) as number] as DirectoryChange[]).push({
      name,
      op,
      entry:
        op === "delete"
          ? null
          : {
              name,
              nodeId: nodeIds.get(i) as string,
              partId: partIds.get(i) as string,
              entryType: types.get(i) as EntryType,
            },
    });
  }
  return decoded;
}

export function encodeDirectoryChanges(changes: readonly DirectoryChange[]): Uint8Array {
  return encodeDirectoryRecords([[...changes]])[0] as Uint8Array;
}

export function decodeDirectoryChanges(content: Uint8Array): DirectoryChange[] {
  return decodeDirectoryRecords([content])[0] as DirectoryChange[];
}
