// Tables the op-log addon writes, read by the delta-rs Python package.

import { spawnSync } from "node:child_process";
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
import { deltalakePython } from "./test-workers/python.js";

const tmp = useTempDir();

describe("NativeTable interop", () => {
  it("writes tables the delta-rs Python package reads, stats and checkpoints included", async () => {
    const table = await NativeTable.create(tmp.dir, { "delta.checkpointInterval": "2" });
    await table.commit(
      ...ipc([
        { part: "p1", node: "a" },
        { part: "odd part/%", node: "b" },
      ]),
      1,
      info("1"),
    );
    await table.commit(...ipc([{ part: "p1", node: "c" }], 2), 2, info("2"));
    await table.commit(...ipc([{ part: "p2", node: "d" }], 3), 3, info("3"));
    const script = [
      "import sys, json, deltalake, pyarrow as pa",
      "t = deltalake.DeltaTable(sys.argv[1])",
      "rows = t.to_pyarrow_table().select(['part_id', 'node_id']).to_pylist()",
      "adds = pa.table(t.get_add_actions(flatten=True)).select(['min.node_id', 'max.node_id']).to_pylist()",
      "p = t.protocol()",
      "print(json.dumps({'version': t.version(), 'rows': sorted(r['part_id'] + '/' + r['node_id'] for r in rows),",
      "  'adds': len(adds), 'stats': all(a['min.node_id'] for a in adds),",
      "  'protocol': [p.min_reader_version, p.min_writer_version],",
      "  'v1': deltalake.DeltaTable(sys.argv[1], version=1).to_pyarrow_table().num_rows,",
      "  'messages': [h.get('message') for h in t.history()]}), flush=True)",
      "import os; os._exit(0)  # skip teardown: the deltalake runtime can abort while shutting down",
    ].join("\n");
    const run = spawnSync(deltalakePython(), ["-c", script, tmp.dir], { encoding: "utf8" });
    // The Python package sometimes aborts while shutting its runtime down, after printing.
    expect(run.stdout, run.stderr).toMatch(/^\{.*\}\n$/);
    expect(JSON.parse(run.stdout)).toEqual({
      version: 3,
      rows: ["odd part/%/b", "p1/a", "p1/c", "p2/d"],
      adds: 4,
      stats: true,
      protocol: [1, 2],
      v1: 2,
      messages: ["3", "2", "1", null],
    });
  }, 600_000);
});

describe("NativeTable maintenance interop", () => {
  it("leaves a compacted, vacuumed and log-cleaned table the delta-rs Python package reads", async () => {
    const table = await populated(tmp.dir);
    const added = (before: string[]) => parquetFiles(tmp.dir).find((f) => !before.includes(f));
    const beforeCompaction = parquetFiles(tmp.dir);
    await table.compact(5);
    const compacted = added(beforeCompaction);
    const beforeCommit = parquetFiles(tmp.dir);
    await table.commit(...ipc([{ part: "p1", node: "e" }], 6), 6, info("6"));
    const committed = added(beforeCommit);
    await table.setProperties({ "pond.retention": "1" }, 7);
    await table.vacuum({ olderThanMs: Date.now() + 1000 });
    await table.cleanupLog(6);
    const expected = fullRows(rowsOf(await table.scanAll()));
    const script = [
      "import sys, json, deltalake, pyarrow.parquet as pq",
      "t = deltalake.DeltaTable(sys.argv[1])",
      "rows = t.to_pyarrow_table()",
      "schema = lambda p: [[f.name, str(f.type), f.nullable] for f in pq.read_schema(sys.argv[1] + '/' + p)]",
      "print(json.dumps({'version': t.version(), 'rows': rows.num_rows,",
      "  'pairs': sorted(r['part_id'] + '/' + r['node_id'] + '@' + str(r['version']) for r in rows.to_pylist()),",
      "  'retention': t.metadata().configuration.get('pond.retention'),",
      "  'same_schema': schema(sys.argv[2]) == schema(sys.argv[3])}), flush=True)",
      "import os; os._exit(0)",
    ].join("\n");
    const run = spawnSync(
      deltalakePython(),
      ["-c", script, tmp.dir, compacted ?? "", committed ?? ""],
      {
        encoding: "utf8",
      },
    );
    expect(run.stdout, run.stderr).toMatch(/^\{.*\}\n$/);
    const seen = JSON.parse(run.stdout);
    expect(seen).toMatchObject({
      version: 7,
      rows: expected.length,
      retention: "1",
      same_schema: true,
    });
    expect(seen.pairs).toEqual(pairs(rowsOf(await table.scanAll())));
  }, 600_000);
});
