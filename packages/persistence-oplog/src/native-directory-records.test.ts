// The op-log addon's directory record codec against the JS decoder.

import { Table, tableFromIPC, tableToIPC, Uint32, Utf8, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  type DirectoryChange,
  decodeDirectoryChanges,
  encodeDirectoryChanges,
} from "./directory-record.js";
import { decodeDirectoryRecords, encodeDirectoryRecords } from "./native.js";
import { asRecord } from "./test-workers/crafted.js";
import { codeOf } from "./test-workers/native-table.js";

describe("directory record codec", () => {
  const entry = (
    name: string,
    nodeId: string,
    op: DirectoryChange["op"] = "insert",
  ): DirectoryChange => ({
    name,
    op,
    entry:
      op === "delete" ? null : { name, nodeId, partId: `part-${nodeId}`, entryType: "file:data" },
  });
  const records: DirectoryChange[][] = [
    [entry("a.txt", "n1"), entry("b", "n2")],
    [],
    [entry("a.txt", "", "delete"), entry("ünï cødé 📁", "n3", "update")],
    [entry("c", "n4")],
  ];

  it("decodes many records into one stream whose rows match the JS decoder's, record by record", () => {
    const contents = records.map((changes) => encodeDirectoryChanges(changes));
    const merged = tableFromIPC(decodeDirectoryRecords(contents));
    expect(merged.schema.fields.map((f) => [f.name, f.nullable])).toEqual([
      ["record", false],
      ["name", false],
      ["child_node_id", true],
      ["child_part_id", true],
      ["child_entry_type", true],
      ["op", true],
    ]);
    const byRecord: unknown[][] = records.map(() => []);
    for (const row of merged) {
      byRecord[row.record as number]?.push({
        name: row.name,
        op: row.op,
        entry:
          row.op === "delete"
            ? null
            : {
                name: row.name,
                nodeId: row.child_node_id,
                partId: row.child_part_id,
                entryType: row.child_entry_type,
              },
      });
    }
    expect(byRecord).toEqual(contents.map((c) => decodeDirectoryChanges(asRecord(c))));
    expect(byRecord).toEqual(records);
    expect(tableFromIPC(decodeDirectoryRecords([])).numRows).toBe(0);
  });

  it("encodes one stream of entries into per-record streams the JS decoder reads, and back", () => {
    const flat = records.flatMap((changes, record) => changes.map((c) => ({ record, c })));
    const entries = tableToIPC(
      new Table({
        record: vectorFromArray(
          flat.map((f) => f.record),
          new Uint32(),
        ),
        name: vectorFromArray(
          flat.map((f) => f.c.name),
          new Utf8(),
        ),
        child_node_id: vectorFromArray(
          flat.map((f) => f.c.entry?.nodeId ?? null),
          new Utf8(),
        ),
        child_part_id: vectorFromArray(
          flat.map((f) => f.c.entry?.partId ?? null),
          new Utf8(),
        ),
        child_entry_type: vectorFromArray(
          flat.map((f) => f.c.entry?.entryType ?? null),
          new Utf8(),
        ),
        op: vectorFromArray(
          flat.map((f) => f.c.op),
          new Utf8(),
        ),
      }),
      "stream",
    );
    const streams = encodeDirectoryRecords(entries);
    expect(streams).toHaveLength(records.length);
    expect(streams.map((s) => decodeDirectoryChanges(asRecord(s)))).toEqual(records);
    const js = tableFromIPC(encodeDirectoryChanges(records[0] ?? []));
    const native = tableFromIPC(streams[0] as Uint8Array);
    expect(native.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(
      js.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    );
    // And back through the decoder: the same rows with the same record indexes.
    const again = tableFromIPC(decodeDirectoryRecords(streams));
    expect([...again].map((r) => [r.record, r.name, r.op])).toEqual(
      flat.map((f) => [f.record, f.c.name, f.c.op]),
    );
    expect(
      encodeDirectoryRecords(
        tableToIPC(new Table({ record: vectorFromArray([], new Uint32()) }), "stream"),
      ),
    ).toEqual([]);
  });

  it("reports garbage records as CORRUPT and unusable entries as EINVAL", async () => {
    const good = encodeDirectoryChanges([entry("a", "n1")]);
    const bad = await codeOf(() => decodeDirectoryRecords([good, new Uint8Array([1, 2, 3])]));
    expect(bad.code).toBe("CORRUPT");
    expect(bad.message).toContain("directory record 1");
    const noRecord = tableToIPC(new Table({ name: vectorFromArray(["a"], new Utf8()) }), "stream");
    expect((await codeOf(() => encodeDirectoryRecords(noRecord))).code).toBe("EINVAL");
    expect((await codeOf(() => encodeDirectoryRecords(new Uint8Array([9])))).code).toBe("EINVAL");
  });
});
