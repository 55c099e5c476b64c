// A directory record's content: the changes one transaction made, as Arrow IPC.

import type { DirEntry, EntryType } from "@pond/tinyfs";
import { Field, Schema, tableFromIPC, Utf8 } from "apache-arrow";
import { ipcOf, utf8Column } from "./arrow-ipc.js";

/** One changed name: bound to a child (insert/update) or unbound (delete). */
export interface DirectoryChange {
  name: string;
  op: "insert" | "update" | "delete";
  entry: DirEntry | null;
}

const ENTRY_SCHEMA = new Schema([
  new Field("name", new Utf8(), false),
  new Field("child_node_id", new Utf8(), true),
  new Field("child_part_id", new Utf8(), true),
  new Field("child_entry_type", new Utf8(), true),
  new Field("op", new Utf8(), false),
]);

export function encodeDirectoryChanges(changes: readonly DirectoryChange[]): Uint8Array {
  return ipcOf(
    ENTRY_SCHEMA,
    [
      utf8Column(changes.map((c) => c.name)),
      utf8Column(changes.map((c) => c.entry?.nodeId ?? null)),
      utf8Column(changes.map((c) => c.entry?.partId ?? null)),
      utf8Column(changes.map((c) => c.entry?.entryType ?? null)),
      utf8Column(changes.map((c) => c.op)),
    ],
    changes.length,
  );
}

export function decodeDirectoryChanges(content: Uint8Array): DirectoryChange[] {
  const table = tableFromIPC(content);
  const column = (name: string) => {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`directory record lacks the column ${name}`);
    return vector;
  };
  const names = column("name");
  const nodeIds = column("child_node_id");
  const partIds = column("child_part_id");
  const types = column("child_entry_type");
  const ops = column("op");
  const changes: DirectoryChange[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const name = names.get(i) as string;
    const op = ops.get(i) as DirectoryChange["op"];
    if (op !== "insert" && op !== "update" && op !== "delete") {
      throw new Error(`unknown directory operation ${String(op)}`);
    }
    changes[i] = {
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
    };
  }
  return changes;
}
