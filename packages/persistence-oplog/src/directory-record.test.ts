import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  type DirectoryChange,
  decodeDirectoryRecords,
  encodeDirectoryRecords,
} from "./directory-record.js";
import { asRecord } from "./test-workers/crafted.js";

const insert = (name: string, nodeId: string): DirectoryChange => ({
  name,
  op: "insert",
  entry: { name, nodeId, partId: "p", entryType: "file:data" },
});

describe("directory records", () => {
  it("round-trip in a batch, empty records included (first, middle and last)", () => {
    const records: DirectoryChange[][] = [
      [],
      [insert("a", "1"), { name: "gone", op: "delete", entry: null }],
      [],
      [insert("é ü", "2")],
      [],
    ];
    const contents = encodeDirectoryRecords(records);
    expect(contents).toHaveLength(records.length);
    expect(decodeDirectoryRecords(contents.map(asRecord))).toEqual(records);
  });

  it("each content is a plain Arrow IPC stream any Arrow reader can open", () => {
    const [content] = encodeDirectoryRecords([[insert("a", "1")]]);
    const table = tableFromIPC(content as Uint8Array);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      "name",
      "child_node_id",
      "child_part_id",
      "child_entry_type",
      "op",
    ]);
    expect(table.get(0)?.toJSON()).toEqual({
      name: "a",
      child_node_id: "1",
      child_part_id: "p",
      child_entry_type: "file:data",
      op: "insert",
    });
  });

  it("garbage is CORRUPT, not a crash", () => {
    expect(() => decodeDirectoryRecords([asRecord(new Uint8Array([1, 2, 3]))])).toThrow(
      expect.objectContaining({ code: "CORRUPT" }),
    );
  });
});
