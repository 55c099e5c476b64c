import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Binary,
  Int64,
  Table,
  TimestampMicrosecond,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import { deltalakePython } from "./test-workers/python.js";

interface Row {
  part: string;
  node: string;
  version?: number;
  content?: string | null;
}

/** Op-log rows as the Arrow IPC stream the addon takes. */
function ipc(rows: Row[], txnSeq = 1): Uint8Array {
  const n = rows.length;
  const table = new Table({
    part_id: vectorFromArray(
      rows.map((r) => r.part),
      new Utf8(),
    ),
    node_id: vectorFromArray(
      rows.map((r) => r.node),
      new Utf8(),
    ),
    entry_type: vectorFromArray(Array(n).fill("file:data"), new Utf8()),
    version: vectorFromArray(
      rows.map((r) => BigInt(r.version ?? 1)),
      new Int64(),
    ),
    txn_seq: vectorFromArray(Array(n).fill(BigInt(txnSeq)), new Int64()),
    timestamp: vectorFromArray(
      Array(n).fill(Date.UTC(2024, 0, 2, 3, 4, 5)),
      new TimestampMicrosecond("UTC"),
    ),
    content: vectorFromArray(
      rows.map((r) =>
        r.content === null
          ? null
          : new TextEncoder().encode(r.content ?? `${r.node}@${r.version ?? 1}`),
      ),
      new Binary(),
    ),
    content_ref: vectorFromArray(Array(n).fill(null), new Utf8()),
    size: vectorFromArray(Array(n).fill(3n), new Int64()),
    sha256: vectorFromArray(Array(n).fill("ab".repeat(32)), new Utf8()),
    min_event_time: vectorFromArray(Array(n).fill(null), new Int64()),
    max_event_time: vectorFromArray(Array(n).fill(null), new Int64()),
    attrs: vectorFromArray(Array(n).fill(null), new Utf8()),
  });
  return tableToIPC(table, "stream");
}

function rowsOf(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}

function pairs(table: Table): string[] {
  const out: string[] = [];
  for (const row of table) {
    out.push(`${row.part_id}/${row.node_id}@${row.version}`);
  }
  return out.sort();
}

function info(message: string): string {
  return JSON.stringify({ message, txnId: `txn-${message}` });
}

function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith("part_id=")) {
      for (const f of readdirSync(join(dir, entry.name))) {
        if (f.endsWith(".parquet")) out.push(join(entry.name, f));
      }
    }
  }
  return out.sort();
}

async function codeOf(
  promise: Promise<unknown> | (() => unknown),
): Promise<{ code?: string; message: string }> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { code: err.code, message: err.message };
  }
  throw new Error("expected a failure");
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pond-oplog-native-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("NativeTable lifecycle", () => {
  it("creates a table at version 0 with pond's properties and Delta protocol 1/2", async () => {
    const path = join(dir, "nested", "pond");
    const table = await NativeTable.create(path, { "pond.format": "1" });
    expect(table.version()).toBe(0);
    expect(table.properties()).toMatchObject({
      "pond.format": "1",
      "delta.checkpointInterval": "100",
      "delta.enableExpiredLogCleanup": "false",
      "delta.logRetentionDuration": "interval 36500 days",
      "delta.deletedFileRetentionDuration": "interval 36500 days",
    });
    const log = readFileSync(join(path, "_delta_log", "00000000000000000000.json"), "utf8");
    const protocol = log
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((a) => a.protocol).protocol;
    expect(protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    table.close();
  });

  it("refuses to create over an existing table with EEXIST", async () => {
    (await NativeTable.create(dir, {})).close();
    expect((await codeOf(NativeTable.create(dir, {}))).code).toBe("EEXIST");
  });

  it("refuses Delta properties that would change the table's protocol with EINVAL", async () => {
    const err = await codeOf(NativeTable.create(dir, { "delta.enableDeletionVectors": "true" }));
    expect(err.code).toBe("EINVAL");
  });

  it("lets exactly one of racing creates win; the others fail with EEXIST", async () => {
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => NativeTable.create(dir, {})));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === "rejected") expect((o.reason as { code: string }).code).toBe("EEXIST");
    }
  });

  it("opens a missing table with ENOENT", async () => {
    expect((await codeOf(NativeTable.open(join(dir, "nope")))).code).toBe("ENOENT");
  });

  it("fails with CLOSED after close, sync and async", async () => {
    const table = await NativeTable.create(dir, {});
    table.close();
    expect((await codeOf(() => table.version())).code).toBe("CLOSED");
    expect((await codeOf(table.update())).code).toBe("CLOSED");
    expect((await codeOf(table.scanPartition("p"))).code).toBe("CLOSED");
  });
});

describe("NativeTable commits and reads", () => {
  it("commits rows of three partitions as one version with one file per partition", async () => {
    const table = await NativeTable.create(dir, {});
    const rows = [
      { part: "p1", node: "n1" },
      { part: "p2", node: "n2" },
      { part: "p1", node: "n3" },
      { part: "p3", node: "n4" },
    ];
    const result = await table.commit(ipc(rows), 1, info("first"));
    expect(result).toMatchObject({ version: 1, files: 3, partitions: 3, checkpointed: false });
    expect(table.version()).toBe(1);
    expect(parquetFiles(dir)).toHaveLength(3);
    expect(existsSync(join(dir, "_delta_log", "00000000000000000002.json"))).toBe(false);

    const reopened = await NativeTable.open(dir);
    expect(reopened.version()).toBe(1);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toEqual(["p1/n1@1", "p1/n3@1"]);
  });

  it("scans a partition, with and without a node filter, with the full schema", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(
      ipc([
        { part: "p1", node: "a" },
        { part: "p1", node: "b" },
        { part: "p2", node: "a" },
      ]),
      1,
      info("1"),
    );
    await table.commit(ipc([{ part: "p1", node: "a", version: 2 }], 2), 2, info("2"));
    await table.commit(ipc([{ part: "p1", node: "c" }], 3), 3, info("3"));

    const all = rowsOf(await table.scanPartition("p1"));
    expect(all.schema.fields.map((f) => f.name)).toEqual([
      "part_id",
      "node_id",
      "entry_type",
      "version",
      "txn_seq",
      "timestamp",
      "content",
      "content_ref",
      "size",
      "sha256",
      "min_event_time",
      "max_event_time",
      "attrs",
    ]);
    expect(pairs(all)).toEqual(["p1/a@1", "p1/a@2", "p1/b@1", "p1/c@1"]);
    expect(pairs(rowsOf(await table.scanPartition("p1", "a")))).toEqual(["p1/a@1", "p1/a@2"]);
    const one = rowsOf(await table.scanPartition("p1", "c"));
    const row = one.get(0);
    expect(new TextDecoder().decode(row?.content)).toBe("c@1");
    expect(row?.timestamp).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(row?.content_ref).toBeNull();

    const none = rowsOf(await table.scanPartition("nowhere"));
    expect(none.numRows).toBe(0);
    expect(none.schema.fields).toHaveLength(13);
  });

  it("reads back exactly the rows a version added, across partitions, even past the loaded version", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p1", node: "a" }]), 1, info("1"));
    await table.commit(
      ipc(
        [
          { part: "p2", node: "b" },
          { part: "p3", node: "c" },
        ],
        2,
      ),
      2,
      info("2"),
    );
    const old = await NativeTable.open(dir, 1);
    expect(pairs(rowsOf(await old.readVersion(2)))).toEqual(["p2/b@1", "p3/c@1"]);
    expect(pairs(rowsOf(await old.readVersion(1)))).toEqual(["p1/a@1"]);
    expect(rowsOf(await old.readVersion(0)).numRows).toBe(0);
    expect((await codeOf(old.readVersion(9))).code).toBe("ENOENT");
  });

  it("lists history oldest first with the user metadata", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("one"));
    await table.commit(ipc([{ part: "p", node: "b" }]), 2, info("two"));
    const history = JSON.parse(await table.history());
    expect(history.map((h: { version: number }) => h.version)).toEqual([0, 1, 2]);
    expect(history[1].info).toMatchObject({
      message: "one",
      txnId: "txn-one",
      operation: "WRITE",
      readVersion: 0,
    });
    expect(history[2].info).toMatchObject({ message: "two", txnId: "txn-two" });
    expect(typeof history[2].timestamp).toBe("number");
    expect(history[2].timestamp).toBeGreaterThanOrEqual(history[1].timestamp);
  });

  it("time travels with loadVersion and open(path, version)", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(ipc([{ part: "p", node: "b" }]), 2, info("2"));
    await table.commit(ipc([{ part: "p", node: "c" }]), 3, info("3"));

    await table.loadVersion(1);
    expect(table.version()).toBe(1);
    expect(pairs(rowsOf(await table.scanPartition("p")))).toEqual(["p/a@1"]);
    expect(JSON.parse(await table.history())).toHaveLength(2);
    await table.loadVersion(3);
    expect(pairs(rowsOf(await table.scanPartition("p")))).toEqual(["p/a@1", "p/b@1", "p/c@1"]);

    const at2 = await NativeTable.open(dir, 2);
    expect(at2.version()).toBe(2);
    expect(pairs(rowsOf(await at2.scanPartition("p")))).toEqual(["p/a@1", "p/b@1"]);
    expect(await at2.update()).toBe(3);

    expect((await codeOf(table.loadVersion(7))).code).toBe("ENOENT");
    expect((await codeOf(NativeTable.open(dir, 7))).code).toBe("ENOENT");
  });

  it("rejects a commit that is not at loaded + 1, or whose info is not a JSON object, with EINVAL", async () => {
    const table = await NativeTable.create(dir, {});
    expect((await codeOf(table.commit(ipc([{ part: "p", node: "a" }]), 2, info("x")))).code).toBe(
      "EINVAL",
    );
    expect((await codeOf(table.commit(ipc([{ part: "p", node: "a" }]), 1, "[1]"))).code).toBe(
      "EINVAL",
    );
    expect((await codeOf(table.commit(new Uint8Array([1, 2, 3]), 1, info("x")))).code).toBe(
      "EINVAL",
    );
    expect(parquetFiles(dir)).toHaveLength(0);
    expect(table.version()).toBe(0);
  });
});

describe("NativeTable checkpoints", () => {
  it("writes a checkpoint every delta.checkpointInterval versions and keeps every log entry", async () => {
    const table = await NativeTable.create(dir, { "delta.checkpointInterval": "3" });
    const results = [];
    for (let v = 1; v <= 7; v++) {
      results.push(
        await table.commit(ipc([{ part: `p${v % 2}`, node: `n${v}` }], v), v, info(`${v}`)),
      );
    }
    expect(results.map((r) => r.checkpointed)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    const log = readdirSync(join(dir, "_delta_log"));
    expect(log).toContain("00000000000000000003.checkpoint.parquet");
    expect(log).toContain("00000000000000000006.checkpoint.parquet");
    for (let v = 0; v <= 7; v++) expect(log).toContain(`${String(v).padStart(20, "0")}.json`);

    const reopened = await NativeTable.open(dir);
    expect(reopened.version()).toBe(7);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toEqual([
      "p1/n1@1",
      "p1/n3@1",
      "p1/n5@1",
      "p1/n7@1",
    ]);
    expect(JSON.parse(await reopened.history())).toHaveLength(8);
  });

  it("writes a checkpoint on demand at the loaded version", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.checkpoint();
    expect(existsSync(join(dir, "_delta_log", "00000000000000000001.checkpoint.parquet"))).toBe(
      true,
    );
    expect((await NativeTable.open(dir)).version()).toBe(1);
  });
});

describe("NativeTable concurrency", () => {
  it("fails the second writer of a version with VERSION_EXISTS and leaves none of its files", async () => {
    const a = await NativeTable.create(dir, {});
    const b = await NativeTable.open(dir);
    await a.commit(
      ipc([
        { part: "p1", node: "a" },
        { part: "p2", node: "a2" },
      ]),
      1,
      info("a"),
    );
    const before = parquetFiles(dir);
    const err = await codeOf(
      b.commit(
        ipc([
          { part: "p1", node: "b" },
          { part: "p3", node: "b3" },
        ]),
        1,
        info("b"),
      ),
    );
    expect(err.code).toBe("VERSION_EXISTS");
    expect(parquetFiles(dir)).toEqual(before);
    expect(b.version()).toBe(0);

    expect(pairs(rowsOf(await b.readVersion(1)))).toEqual(["p1/a@1", "p2/a2@1"]);
    expect(rowsOf(await b.scanPartition("p1")).numRows).toBe(0);
    expect(await b.update()).toBe(1);
    expect(pairs(rowsOf(await b.scanPartition("p1")))).toEqual(["p1/a@1"]);
    await b.commit(ipc([{ part: "p1", node: "b" }]), 2, info("b"));
    const history = JSON.parse(await b.history());
    expect(history.map((h: { info: { message: string } }) => h.info.message)).toEqual([
      undefined,
      "a",
      "b",
    ]);
  });

  it("lets exactly one of many racing commits of the same version win", async () => {
    await NativeTable.create(dir, {});
    const handles = await Promise.all([1, 2, 3, 4].map(() => NativeTable.open(dir)));
    const outcomes = await Promise.allSettled(
      handles.map((h, i) => h.commit(ipc([{ part: "p", node: `n${i}` }]), 1, info(`${i}`))),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === "rejected")
        expect((o.reason as { code: string }).code).toBe("VERSION_EXISTS");
    }
    expect(parquetFiles(dir)).toHaveLength(1);
  });
});

describe("NativeTable damaged tables", () => {
  it("opens a Delta table with another schema with EINVAL", async () => {
    mkdirSync(join(dir, "_delta_log"), { recursive: true });
    const schema = {
      type: "struct",
      fields: [{ name: "x", type: "long", nullable: true, metadata: {} }],
    };
    const actions = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: "00000000-0000-0000-0000-000000000001",
          format: { provider: "parquet", options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: {},
          createdTime: 0,
        },
      },
      { commitInfo: { timestamp: 0, operation: "CREATE TABLE" } },
    ];
    writeFileSync(
      join(dir, "_delta_log", "00000000000000000000.json"),
      actions.map((a) => JSON.stringify(a)).join("\n"),
    );
    const err = await codeOf(NativeTable.open(dir));
    expect(err.code).toBe("EINVAL");
    expect(err.message).toContain("missing column node_id");
  });

  it("reads but refuses to write a table another tool moved past Delta writer version 2", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const entry = join(dir, "_delta_log", "00000000000000000000.json");
    const upgraded = readFileSync(entry, "utf8").replace(
      '"minWriterVersion":2',
      '"minWriterVersion":3',
    );
    writeFileSync(entry, upgraded);
    const reopened = await NativeTable.open(dir);
    expect(pairs(rowsOf(await reopened.scanPartition("p")))).toEqual(["p/a@1"]);
    const err = await codeOf(reopened.commit(ipc([{ part: "p", node: "b" }]), 2, info("2")));
    expect(err.code).toBe("EINVAL");
    expect(err.message).toContain("writer version 3");
    expect(parquetFiles(dir)).toHaveLength(1);
  });

  it("reports a truncated data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(dir);
    truncateSync(join(dir, file as string), 20);
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
    expect((await codeOf(table.readVersion(1))).code).toBe("CORRUPT");
  });

  it("reports a missing data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(dir);
    rmSync(join(dir, file as string));
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
  });

  it("reports a garbage log entry as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(ipc([{ part: "p", node: "b" }]), 2, info("2"));
    const entry = join(dir, "_delta_log", "00000000000000000002.json");
    writeFileSync(entry, "{ this is not json");
    const err = await codeOf(NativeTable.open(dir));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain("00000000000000000002.json");
    expect((await codeOf(table.history())).code).toBe("CORRUPT");
    expect((await NativeTable.open(dir, 1)).version()).toBe(1);
  });
});

describe("NativeTable interop", () => {
  it("writes tables the delta-rs Python package reads, stats and checkpoints included", async () => {
    const table = await NativeTable.create(dir, { "delta.checkpointInterval": "2" });
    await table.commit(
      ipc([
        { part: "p1", node: "a" },
        { part: "odd part/%", node: "b" },
      ]),
      1,
      info("1"),
    );
    await table.commit(ipc([{ part: "p1", node: "c" }], 2), 2, info("2"));
    await table.commit(ipc([{ part: "p2", node: "d" }], 3), 3, info("3"));
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
      "  'messages': [h.get('message') for h in t.history()]}))",
    ].join("\n");
    const run = spawnSync(deltalakePython(), ["-c", script, dir], { encoding: "utf8" });
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
