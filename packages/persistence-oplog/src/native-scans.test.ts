// The op-log addon's scans: file skipping by the nodes a file lists, whole-table reads, statistics.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  fullRows,
  info,
  ipc,
  pairs,
  parquetFiles,
  populated,
  rowsOf,
  useTempDir,
} from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable file skipping by the nodes a file lists", () => {
  it("a lookup opens only the files that hold the node, even where one node is in every file", async () => {
    const table = await NativeTable.create(tmp.dir, { "delta.checkpointInterval": "5" });
    // Like a directory that gains a child per commit: its record ("a…") is in every file, so
    // every file's node_id range spans all the children created before it.
    for (let v = 1; v <= 12; v++) {
      const rows = [
        { part: "p", node: "a-dir", version: v },
        { part: "p", node: `c${String(v).padStart(2, "0")}`, version: 1 },
      ];
      await table.commit(...ipc(rows, v), v, info(`${v}`));
    }
    for (const reader of [table, await NativeTable.open(tmp.dir)]) {
      const before = reader.scanStats();
      expect(pairs(rowsOf(await reader.scanPartition("p", "c03")))).toEqual(["p/c03@1"]);
      const after = reader.scanStats();
      expect(after.filesRead - before.filesRead).toBe(1);
      expect(after.filesSkipped - before.filesSkipped).toBe(11);
    }
    // A file of many nodes falls back to its node_id range.
    const many = Array.from({ length: 100 }, (_, i) => ({
      part: "q",
      node: `m${String(i).padStart(3, "0")}`,
      version: 1,
    }));
    await table.commit(...ipc(many, 13), 13, info("13"));
    expect(rowsOf(await table.scanPartition("q", "m042")).numRows).toBe(1);
  });
});

describe("NativeTable partition statistics and whole-table reads", () => {
  it("scans every row of every partition with part_id", async () => {
    const table = await populated(tmp.dir);
    const all = rowsOf(await table.scanAll());
    const union = [
      ...fullRows(rowsOf(await table.scanPartition("p1"))),
      ...fullRows(rowsOf(await table.scanPartition("p2"))),
      ...fullRows(rowsOf(await table.scanPartition("odd part/%"))),
    ].sort();
    expect(fullRows(all)).toEqual(union);
    expect(all.numRows).toBe(9);
    const empty = await NativeTable.create(join(tmp.dir, "empty"), {});
    expect(rowsOf(await empty.scanAll()).numRows).toBe(0);
    expect(await empty.partitionStats()).toEqual([]);
  });

  it("lists every data file the retained log adds, with its version and dataChange", async () => {
    const table = await populated(tmp.dir);
    await table.compact(5);
    const files = await table.dataFiles();
    expect(files).toHaveLength(8 + 3);
    expect(files.filter((f) => f.dataChange).map((f) => f.version)).toEqual([
      1, 1, 1, 2, 3, 3, 4, 4,
    ]);
    expect(files.filter((f) => !f.dataChange).map((f) => f.version)).toEqual([5, 5, 5]);
    // Every file on disk is one of them (none orphaned), and every one of them is on disk.
    expect(files.map((f) => f.path).sort()).toEqual(parquetFiles(tmp.dir));
  });
});
