import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Table, tableFromIPC, tableToIPC, Uint32, Utf8, vectorFromArray } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DirectoryChange,
  decodeDirectoryChanges,
  encodeDirectoryChanges,
} from "./directory-record.js";
import { decodeDirectoryRecords, encodeDirectoryRecords, NativeTable } from "./native.js";
import { encodeRows } from "./rows.js";
import { asRecord } from "./test-workers/crafted.js";
import { deltalakePython } from "./test-workers/python.js";

interface Row {
  part: string;
  node: string;
  version?: number;
  content?: string | null;
}

/** Op-log rows as the addon's commit takes them: Arrow IPC, and the buffers of their contents. */
function ipc(rows: Row[], txnSeq = 1): [Uint8Array, Uint8Array[]] {
  const encoded = encodeRows(
    rows.map((r) => ({
      partId: r.part,
      nodeId: r.node,
      entryType: "file:data",
      version: r.version ?? 1,
      txnSeq,
      timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
      content:
        r.content === null
          ? null
          : new TextEncoder().encode(r.content ?? `${r.node}@${r.version ?? 1}`),
      contentRef: null,
      size: 3,
      sha256: "ab".repeat(32),
      minEventTime: null,
      maxEventTime: null,
      attrs: null,
    })),
  );
  return [encoded.rows, encoded.contents];
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
    const result = await table.commit(...ipc(rows), 1, info("first"));
    expect(result).toMatchObject({ version: 1, files: 3, partitions: 3, checkpointed: false });
    expect(table.version()).toBe(1);
    expect(parquetFiles(dir)).toHaveLength(3);
    expect(existsSync(join(dir, "_delta_log", "00000000000000000002.json"))).toBe(false);

    const reopened = await NativeTable.open(dir);
    expect(reopened.version()).toBe(1);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toEqual(["p1/n1@1", "p1/n3@1"]);
  });

  it("writes the same files from rows grouped by partition as from interleaved ones", async () => {
    const grouped = await NativeTable.create(join(dir, "grouped"), {});
    const interleaved = await NativeTable.create(join(dir, "interleaved"), {});
    const p1 = [0, 1, 2].map((i) => ({ part: "p1", node: `a${i}` }));
    const p2 = [0, 1].map((i) => ({ part: "p2", node: `b${i}` }));
    await grouped.commit(...ipc([...p1, ...p2]), 1, info("grouped"));
    await interleaved.commit(
      ...ipc([p1[0], p2[0], p1[1], p2[1], p1[2]] as typeof p1),
      1,
      info("mixed"),
    );
    const contents = (table: Table) =>
      [...table].map((row) => `${row.node_id}:${new TextDecoder().decode(row.content)}`).sort();
    for (const part of ["p1", "p2"]) {
      const a = rowsOf(await grouped.scanPartition(part));
      const b = rowsOf(await interleaved.scanPartition(part));
      expect(pairs(a)).toEqual(pairs(b));
      expect(contents(a)).toEqual(contents(b));
    }
    expect(pairs(rowsOf(await grouped.scanPartition("p2")))).toEqual(["p2/b0@1", "p2/b1@1"]);
    expect(parquetFiles(join(dir, "grouped"))).toHaveLength(2);
  });

  it("writes one file per partition with its Delta stats, from rows that arrive apart", async () => {
    const table = await NativeTable.create(dir, {});
    const result = await table.commit(
      ...ipc([
        { part: "p1", node: "b" },
        { part: "p2", node: "x" },
        { part: "p1", node: "c" },
        { part: "p1", node: "a" },
      ]),
      1,
      info("apart"),
    );
    expect(result).toMatchObject({ version: 1, files: 2, partitions: 2 });
    expect(pairs(rowsOf(await table.scanPartition("p1")))).toEqual(["p1/a@1", "p1/b@1", "p1/c@1"]);
    const entry = readFileSync(join(dir, "_delta_log", "00000000000000000001.json"), "utf8");
    const adds = entry
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { add?: { partitionValues: { part_id: string }; stats: string } },
      )
      .flatMap((action) => (action.add ? [action.add] : []));
    const p1 = adds.find((add) => add.partitionValues.part_id === "p1");
    expect(JSON.parse(p1?.stats ?? "{}")).toMatchObject({
      numRecords: 3,
      minValues: { node_id: "a" },
      maxValues: { node_id: "c" },
      nullCount: { content_ref: 3 },
      "pond.nodeIds": ["a", "b", "c"],
    });
  });

  it("refuses rows whose content lies outside the buffers given, committing nothing", async () => {
    const table = await NativeTable.create(dir, {});
    const [rows, contents] = ipc([{ part: "p1", node: "a" }]);
    expect((await codeOf(table.commit(rows, [], 1, info("x")))).code).toBe("EINVAL");
    const short = [new Uint8Array(1)];
    expect((await codeOf(table.commit(rows, short, 1, info("x")))).code).toBe("EINVAL");
    expect(table.version()).toBe(0);
    expect(parquetFiles(dir)).toHaveLength(0);
    await table.commit(rows, contents, 1, info("ok"));
    expect(
      new TextDecoder().decode(
        rowsOf(await table.scanPartition("p1"))
          .getChild("content")
          ?.get(0),
      ),
    ).toBe("a@1");
  });

  it("reads a version's rows without file contents, directory records keeping theirs", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(
      ...ipc([
        { part: "d", node: "d", content: "record" },
        { part: "d", node: "f", content: "file bytes" },
      ]),
      1,
      info("1"),
    );
    const rows = rowsOf(await table.readVersion(1));
    const contents = Object.fromEntries(
      [...rows].map((row) => [
        row.node_id,
        row.content === null ? null : new TextDecoder().decode(row.content),
      ]),
    );
    expect(contents).toEqual({ d: "record", f: null });
    const scanned = rowsOf(await table.scanPartition("d", "f"));
    expect(new TextDecoder().decode(scanned.getChild("content")?.get(0))).toBe("file bytes");
  });

  it("scans a node with the rows stored beside it, or a partition without contents", async () => {
    const table = await NativeTable.create(dir, {});
    const rows = ["a", "b", "c"].map((node) => ({ part: "p1", node }));
    await table.commit(...ipc([...rows, { part: "p2", node: "z" }]), 1, info("1"));
    expect(pairs(rowsOf(await table.scanPartition("p1", "b")))).toEqual(["p1/b@1"]);
    const neighbours = rowsOf(await table.scanPartition("p1", "b", { neighbours: true }));
    expect(pairs(neighbours)).toEqual(["p1/a@1", "p1/b@1", "p1/c@1"]);
    expect(new TextDecoder().decode(neighbours.getChild("content")?.get(0))).toMatch(/^[abc]@1$/);
    const metadata = rowsOf(await table.scanPartition("p1", null, { skipContents: true }));
    expect(pairs(metadata)).toEqual(["p1/a@1", "p1/b@1", "p1/c@1"]);
    expect(metadata.getChild("content")?.nullCount).toBe(3);
    expect(metadata.getChild("size")?.get(0)).toBe(3n);
  });

  it("scans a partition, with and without a node filter, with the full schema", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(
      ...ipc([
        { part: "p1", node: "a" },
        { part: "p1", node: "b" },
        { part: "p2", node: "a" },
      ]),
      1,
      info("1"),
    );
    await table.commit(...ipc([{ part: "p1", node: "a", version: 2 }], 2), 2, info("2"));
    await table.commit(...ipc([{ part: "p1", node: "c" }], 3), 3, info("3"));

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
    await table.commit(...ipc([{ part: "p1", node: "a" }]), 1, info("1"));
    await table.commit(
      ...ipc(
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
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("one"));
    await table.commit(...ipc([{ part: "p", node: "b" }]), 2, info("two"));
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
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2"));
    await table.commit(...ipc([{ part: "p", node: "c" }]), 3, info("3"));

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
    expect(
      (await codeOf(table.commit(...ipc([{ part: "p", node: "a" }]), 2, info("x")))).code,
    ).toBe("EINVAL");
    expect((await codeOf(table.commit(...ipc([{ part: "p", node: "a" }]), 1, "[1]"))).code).toBe(
      "EINVAL",
    );
    expect((await codeOf(table.commit(new Uint8Array([1, 2, 3]), [], 1, info("x")))).code).toBe(
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
        await table.commit(...ipc([{ part: `p${v % 2}`, node: `n${v}` }], v), v, info(`${v}`)),
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

  it("opens the newest version from the last checkpoint and the entries after it as delta-rs does", async () => {
    const table = await NativeTable.create(dir, { "delta.checkpointInterval": "5" });
    for (let v = 1; v <= 5; v++) {
      const part = v % 2 ? "p1" : "odd part/%";
      await table.commit(...ipc([{ part, node: `n${v}` }], v), v, info(`${v}`));
    }
    // After the checkpoint of version 5: a compaction (adds and tombstones), new properties,
    // another append.
    await table.compact(6, { minFiles: 2 });
    await table.setProperties({ "pond.retention": "30d" }, 7);
    await table.commit(...ipc([{ part: "p2", node: "n8" }], 8), 8, info("8"));
    expect(readFileSync(join(dir, "_delta_log", "_last_checkpoint"), "utf8")).toContain(
      '"version":5,',
    );

    const newest = await NativeTable.open(dir);
    const pinned = await NativeTable.open(dir, 8);
    expect(newest.version()).toBe(8);
    expect(newest.properties()).toEqual(pinned.properties());
    expect(newest.properties()["pond.retention"]).toBe("30d");
    expect(await newest.partitionStats()).toEqual(await pinned.partitionStats());
    expect(fullRows(rowsOf(await newest.scanAll()))).toEqual(
      fullRows(rowsOf(await pinned.scanAll())),
    );
    // Both move on alike, and the newest handle writes the checkpoint due at 10.
    for (let v = 9; v <= 12; v++) {
      const result = await newest.commit(
        ...ipc([{ part: "p1", node: `m${v}` }], v),
        v,
        info(`${v}`),
      );
      expect(result.checkpointed).toBe(v === 10);
    }
    expect(await pinned.update()).toBe(12);
    expect(await newest.partitionStats()).toEqual(await pinned.partitionStats());
    // A young table without a checkpoint opens from its first entry.
    const young = join(dir, "young");
    const created = await NativeTable.create(young, {});
    await created.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    expect(pairs(rowsOf(await (await NativeTable.open(young)).scanPartition("p")))).toEqual([
      "p/a@1",
    ]);
  });

  it("writes a checkpoint on demand at the loaded version", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
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
      ...ipc([
        { part: "p1", node: "a" },
        { part: "p2", node: "a2" },
      ]),
      1,
      info("a"),
    );
    const before = parquetFiles(dir);
    const err = await codeOf(
      b.commit(
        ...ipc([
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
    await b.commit(...ipc([{ part: "p1", node: "b" }]), 2, info("b"));
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
      handles.map((h, i) => h.commit(...ipc([{ part: "p", node: `n${i}` }]), 1, info(`${i}`))),
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
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const entry = join(dir, "_delta_log", "00000000000000000000.json");
    const upgraded = readFileSync(entry, "utf8").replace(
      '"minWriterVersion":2',
      '"minWriterVersion":3',
    );
    writeFileSync(entry, upgraded);
    const reopened = await NativeTable.open(dir);
    expect(pairs(rowsOf(await reopened.scanPartition("p")))).toEqual(["p/a@1"]);
    const err = await codeOf(reopened.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2")));
    expect(err.code).toBe("EINVAL");
    expect(err.message).toContain("writer version 3");
    expect(parquetFiles(dir)).toHaveLength(1);
  });

  it("reports a truncated data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(dir);
    truncateSync(join(dir, file as string), 20);
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
    expect((await codeOf(table.readVersion(1))).code).toBe("CORRUPT");
  });

  it("reports a missing data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(dir);
    rmSync(join(dir, file as string));
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
  });

  it("reports a garbage log entry as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2"));
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

/** Every column of every row, content as hex, sorted: equal when the rows are byte-identical. */
function fullRows(table: Table): string[] {
  const out: string[] = [];
  for (const row of table) {
    const value = row.toJSON() as Record<string, unknown>;
    const content = value.content as Uint8Array | null;
    out.push(
      JSON.stringify(
        { ...value, content: content === null ? null : Buffer.from(content).toString("hex") },
        (_, v) => (typeof v === "bigint" ? v.toString() : v),
      ),
    );
  }
  return out.sort();
}

function logEntries(path: string): string[] {
  return readdirSync(join(path, "_delta_log")).sort();
}

function entryName(version: number, suffix = "json"): string {
  return `${String(version).padStart(20, "0")}.${suffix}`;
}

/** Three partitions, the odd-named one included, with several versions of some nodes. */
async function populated(path: string, properties: Record<string, string> = {}) {
  const table = await NativeTable.create(path, properties);
  const commits: Row[][] = [
    [
      { part: "p1", node: "b" },
      { part: "p2", node: "x" },
      { part: "odd part/%", node: "o" },
    ],
    [
      { part: "p1", node: "a" },
      { part: "p1", node: "b", version: 2, content: null },
    ],
    [
      { part: "p1", node: "c" },
      { part: "odd part/%", node: "o", version: 2 },
    ],
    [
      { part: "p1", node: "a", version: 2 },
      { part: "p2", node: "y" },
    ],
  ];
  for (const [i, rows] of commits.entries()) {
    await table.commit(...ipc(rows, i + 1), i + 1, info(`${i + 1}`));
  }
  return table;
}

describe("NativeTable compaction", () => {
  it("rewrites each partition as one sorted file in one OPTIMIZE version, keeping every row and every older version", async () => {
    const table = await populated(dir);
    const before: string[][] = [];
    for (let v = 0; v <= 4; v++) {
      const at = await NativeTable.open(dir, v);
      before.push(fullRows(rowsOf(await at.scanAll())));
      at.close();
    }
    const filesBefore = parquetFiles(dir);
    const bytesBefore = filesBefore.reduce((n, f) => n + statSync(join(dir, f)).size, 0);

    const result = await table.compact(5, { minFiles: 2 });
    expect(result).toMatchObject({
      version: 5,
      partitions: 3,
      filesRemoved: 8,
      filesAdded: 3,
      rows: 9,
      bytesRemoved: bytesBefore,
      checkpointed: false,
    });
    expect(table.version()).toBe(5);
    expect(existsSync(join(dir, "_delta_log", entryName(6)))).toBe(false);

    const entry = readFileSync(join(dir, "_delta_log", entryName(5)), "utf8")
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entry.find((a) => a.commitInfo).commitInfo.operation).toBe("OPTIMIZE");
    const adds = entry.filter((a) => a.add).map((a) => a.add);
    const removes = entry.filter((a) => a.remove).map((a) => a.remove);
    expect(adds.every((a) => a.dataChange === false && typeof a.stats === "string")).toBe(true);
    expect(
      removes.every(
        (r) =>
          r.dataChange === false &&
          typeof r.deletionTimestamp === "number" &&
          typeof r.size === "number" &&
          r.extendedFileMetadata === true &&
          typeof r.partitionValues.part_id === "string",
      ),
    ).toBe(true);
    expect(removes.map((r) => r.path).sort()).toEqual(filesBefore.map(encodeURI).sort());
    expect(result.bytesAdded).toBe(adds.reduce((n, a) => n + a.size, 0));

    // The newest version reads the same rows, from the compacted files, sorted by (node_id, version).
    expect(fullRows(rowsOf(await table.scanAll()))).toEqual(before[4]);
    const p1 = rowsOf(await table.scanPartition("p1"));
    expect([...p1].map((r) => `${r.node_id}@${r.version}`)).toEqual([
      "a@1",
      "a@2",
      "b@1",
      "b@2",
      "c@1",
    ]);
    const reopened = await NativeTable.open(dir);
    expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(before[4]);
    // Every older version still reads its rows (the old files stay until vacuum).
    for (let v = 0; v <= 4; v++) {
      await reopened.loadVersion(v);
      expect(fullRows(rowsOf(await reopened.scanAll())), `version ${v}`).toEqual(before[v]);
    }
    const history = JSON.parse(await table.history());
    expect(history.map((h: { version: number }) => h.version)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("compacts only partitions with at least minFiles files, or only the partIds given", async () => {
    const table = await populated(dir);
    const stats = await table.partitionStats();
    expect(stats.map((s) => [s.partId, s.files, s.rows])).toEqual([
      ["odd part/%", 2, 2],
      ["p1", 4, 5],
      ["p2", 2, 2],
    ]);
    const onDisk = (part: string) =>
      parquetFiles(dir)
        .filter((f) => f.startsWith(`${part}/`))
        .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(stats.find((s) => s.partId === "p1")?.bytes).toBe(onDisk("part_id=p1"));

    expect(await table.compact(5, { minFiles: 3 })).toMatchObject({
      version: 5,
      partitions: 1,
      filesRemoved: 4,
      filesAdded: 1,
      rows: 5,
    });
    expect(await table.compact(6, { partIds: ["p2", "nowhere"] })).toMatchObject({
      version: 6,
      partitions: 1,
      filesRemoved: 2,
    });
    expect((await table.partitionStats()).map((s) => [s.partId, s.files, s.rows])).toEqual([
      ["odd part/%", 2, 2],
      ["p1", 1, 5],
      ["p2", 1, 2],
    ]);
    // Nothing left with two files or more outside the odd partition: nothing is committed.
    const none = await table.compact(7, { partIds: ["p1", "p2"] });
    expect(none.version ?? null).toBeNull();
    expect(none).toMatchObject({ partitions: 0, filesRemoved: 0, filesAdded: 0, rows: 0 });
    expect(table.version()).toBe(6);
    expect(existsSync(join(dir, "_delta_log", entryName(7)))).toBe(false);
    expect((await codeOf(table.compact(9))).code).toBe("EINVAL");
    expect((await codeOf(table.compact(7, { minFiles: 0 }))).code).toBe("EINVAL");
  });

  it("splits a partition into files of about targetRowsPerFile rows", async () => {
    const table = await NativeTable.create(dir, {});
    for (let v = 1; v <= 5; v++) {
      const rows = Array.from({ length: 20 }, (_, i) => ({ part: "p", node: `n${v}-${i}` }));
      await table.commit(...ipc(rows, v), v, info(`${v}`));
    }
    const result = await table.compact(6, { targetRowsPerFile: 30, rowGroupRows: 8 });
    expect(result).toMatchObject({ filesRemoved: 5, filesAdded: 4, rows: 100 });
    expect(rowsOf(await table.scanPartition("p")).numRows).toBe(100);
  });

  it("moves a compaction that lost its version to an append on to the next version", async () => {
    const a = await populated(dir);
    const b = await NativeTable.open(dir);
    const rows = fullRows(rowsOf(await b.scanAll()));
    await a.commit(...ipc([{ part: "p1", node: "d" }], 5), 5, info("5"));
    expect(await b.compact(5)).toMatchObject({ version: 6 });
    expect(b.version()).toBe(6);
    const after = fullRows(rowsOf(await (await NativeTable.open(dir)).scanAll()));
    expect(after).toHaveLength(rows.length + 1);
    expect(after).toEqual(expect.arrayContaining(rows));
  });

  it("fails a compaction whose files another compaction replaced, leaving none of its files", async () => {
    const a = await populated(dir);
    const b = await NativeTable.open(dir);
    await a.compact(5);
    const before = parquetFiles(dir);
    const err = await codeOf(b.compact(5));
    expect(err.code).toBe("VERSION_EXISTS");
    expect(parquetFiles(dir)).toEqual(before);
    expect(await b.update()).toBe(5);
  });

  it("returns no rows from readVersion of an OPTIMIZE version, and the old rows from the old versions", async () => {
    const table = await populated(dir);
    await table.compact(5);
    expect(rowsOf(await table.readVersion(5)).numRows).toBe(0);
    expect(pairs(rowsOf(await table.readVersion(2)))).toEqual(["p1/a@1", "p1/b@2"]);
    await table.commit(...ipc([{ part: "p1", node: "d" }], 6), 6, info("6"));
    expect(pairs(rowsOf(await table.readVersion(6)))).toEqual(["p1/d@1"]);
  });

  it("lets a handle that updates past a foreign compaction and commits read the same rows", async () => {
    const a = await populated(dir);
    const b = await NativeTable.open(dir);
    const rows = fullRows(rowsOf(await b.scanAll()));
    await a.compact(5);
    await a.commit(...ipc([{ part: "p1", node: "d" }], 6), 6, info("6"));
    expect(await b.update()).toBe(6);
    const after = fullRows(rowsOf(await b.scanAll()));
    expect(after).toHaveLength(rows.length + 1);
    expect(after).toEqual(expect.arrayContaining(rows));
    expect((await b.partitionStats()).find((s) => s.partId === "p1")?.files).toBe(2);
    const fresh = await NativeTable.open(dir);
    expect(fullRows(rowsOf(await fresh.scanAll()))).toEqual(after);
  });

  it("reads only the row groups whose node_id statistics admit the node after compaction", async () => {
    const table = await NativeTable.create(dir, {});
    const nodes = 25_000;
    const node = (i: number) => `n${String(i).padStart(6, "0")}`;
    // Four commits, each holding a new version of every node: every file spans all node ids.
    for (let v = 1; v <= 4; v++) {
      const rows = Array.from({ length: nodes }, (_, i) => ({
        part: "big",
        node: node(i),
        version: v,
        content: `${v}`,
      }));
      await table.commit(...ipc(rows, v), v, info(`${v}`));
    }
    const lookup = async () => {
      const before = table.scanStats();
      const rows = rowsOf(await table.scanPartition("big", node(12_345)));
      const after = table.scanStats();
      return {
        rows: [...rows].map((r) => r.version).sort(),
        files: after.filesRead - before.filesRead,
        read: after.rowGroupsRead - before.rowGroupsRead,
        skipped: after.rowGroupsSkipped - before.rowGroupsSkipped,
      };
    };
    const uncompacted = await lookup();
    expect(uncompacted.rows).toEqual([1n, 2n, 3n, 4n]);
    expect(uncompacted.files).toBe(4);

    const result = await table.compact(5);
    expect(result).toMatchObject({ rows: 100_000, filesAdded: 1 });
    const compacted = await lookup();
    expect(compacted.rows).toEqual([1n, 2n, 3n, 4n]);
    expect(compacted.files).toBe(1);
    expect(compacted.read).toBeLessThanOrEqual(2);
    expect(compacted.skipped).toBeGreaterThanOrEqual(20);
    // A node outside the file's range opens nothing.
    const missing = table.scanStats();
    expect(rowsOf(await table.scanPartition("big", "zzz")).numRows).toBe(0);
    expect(table.scanStats().filesSkipped - missing.filesSkipped).toBe(1);
  }, 60_000);
});

describe("NativeTable file skipping by the nodes a file lists", () => {
  it("a lookup opens only the files that hold the node, even where one node is in every file", async () => {
    const table = await NativeTable.create(dir, { "delta.checkpointInterval": "5" });
    // Like a directory that gains a child per commit: its record ("a…") is in every file, so
    // every file's node_id range spans all the children created before it.
    for (let v = 1; v <= 12; v++) {
      const rows = [
        { part: "p", node: "a-dir", version: v },
        { part: "p", node: `c${String(v).padStart(2, "0")}`, version: 1 },
      ];
      await table.commit(...ipc(rows, v), v, info(`${v}`));
    }
    for (const reader of [table, await NativeTable.open(dir)]) {
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

describe("NativeTable compaction crash safety", () => {
  it("leaves the table at the old or the new version, with the same rows, when the compacting process is killed", async () => {
    const table = await NativeTable.create(dir, {});
    const commitRound = async (round: number) => {
      const rows = Array.from({ length: 3000 }, (_, i) => ({
        part: `p${i % 4}`,
        node: `n${round}-${i}`,
        content: "x".repeat(200 + (i % 50)),
      }));
      await table.commit(...ipc(rows, table.version() + 1), table.version() + 1, info(`${round}`));
    };
    for (let round = 0; round < 4; round++) await commitRound(round);
    const addon = new URL("../native/index.cjs", import.meta.url).href;
    const script = [
      `const { NativeTable } = (await import(${JSON.stringify(addon)})).default;`,
      "const t = await NativeTable.open(process.argv[1]);",
      'process.stdout.write("go\\n");',
      "await t.compact(t.version() + 1, { targetRowsPerFile: 1500, rowGroupRows: 256 });",
      'process.stdout.write("done\\n");',
    ].join("\n");
    let killedMidway = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      await table.update();
      const version = table.version();
      const rows = fullRows(rowsOf(await table.scanAll()));
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const closed = new Promise((resolve) => child.on("close", resolve));
      let out = "";
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("go")) setTimeout(resolve, Math.random() * 50);
        });
        child.on("exit", () => resolve());
      });
      child.kill("SIGKILL");
      await closed;
      if (!out.includes("done")) killedMidway++;

      const reopened = await NativeTable.open(dir);
      expect([version, version + 1]).toContain(reopened.version());
      expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rows);
      // The files of an interrupted compaction are orphans: vacuum reclaims them, nothing else.
      await reopened.vacuum({ olderThanMs: 0, orphansOlderThanMs: Date.now() + 1000 });
      const named = new Set((await reopened.dataFiles()).map((f) => f.path));
      expect(parquetFiles(dir).filter((f) => !named.has(f))).toEqual([]);
      expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rows);
      reopened.close();
      await table.update();
      await commitRound(100 + attempt);
    }
    expect(killedMidway).toBeGreaterThan(0);
  }, 120_000);
});

describe("NativeTable partition statistics and whole-table reads", () => {
  it("scans every row of every partition with part_id", async () => {
    const table = await populated(dir);
    const all = rowsOf(await table.scanAll());
    const union = [
      ...fullRows(rowsOf(await table.scanPartition("p1"))),
      ...fullRows(rowsOf(await table.scanPartition("p2"))),
      ...fullRows(rowsOf(await table.scanPartition("odd part/%"))),
    ].sort();
    expect(fullRows(all)).toEqual(union);
    expect(all.numRows).toBe(9);
    const empty = await NativeTable.create(join(dir, "empty"), {});
    expect(rowsOf(await empty.scanAll()).numRows).toBe(0);
    expect(await empty.partitionStats()).toEqual([]);
  });

  it("lists every data file the retained log adds, with its version and dataChange", async () => {
    const table = await populated(dir);
    await table.compact(5);
    const files = await table.dataFiles();
    expect(files).toHaveLength(8 + 3);
    expect(files.filter((f) => f.dataChange).map((f) => f.version)).toEqual([
      1, 1, 1, 2, 3, 3, 4, 4,
    ]);
    expect(files.filter((f) => !f.dataChange).map((f) => f.version)).toEqual([5, 5, 5]);
    // Every file on disk is one of them (none orphaned), and every one of them is on disk.
    expect(files.map((f) => f.path).sort()).toEqual(parquetFiles(dir));
  });
});

describe("NativeTable vacuum", () => {
  const old = new Date("2020-01-01T00:00:00Z");

  it("deletes exactly the files removed before the horizon and old orphans, never the log or large files", async () => {
    const table = await populated(dir);
    const compactedAt = Date.now();
    await table.compact(5, { minFiles: 3 });
    const removed = parquetFiles(dir).filter((f) => f.startsWith("part_id=p1/"));
    const live = (await table.dataFiles()).filter((f) => f.version === 5).map((f) => f.path);
    const survivors = removed.filter((f) => !live.includes(f));
    expect(survivors).toHaveLength(4);

    // Orphans: an old one (a failed commit long ago), a fresh one (a commit in flight), and
    // files vacuum must never touch.
    const oldOrphan = "part_id=p2/part-00000-orphan-c000.snappy.parquet";
    const freshOrphan = "part_id=p2/part-00000-inflight-c000.snappy.parquet";
    writeFileSync(join(dir, oldOrphan), "x".repeat(10));
    writeFileSync(join(dir, freshOrphan), "y");
    writeFileSync(join(dir, "part_id=p2", "notes.txt"), "keep");
    mkdirSync(join(dir, "_large_files"), { recursive: true });
    writeFileSync(join(dir, "_large_files", "sha256=ab.parquet"), "z");
    writeFileSync(join(dir, "_delta_log", "junk.parquet"), "z");
    for (const f of [
      oldOrphan,
      "part_id=p2/notes.txt",
      "_large_files/sha256=ab.parquet",
      "_delta_log/junk.parquet",
    ])
      utimesSync(join(dir, f), old, old);

    // A horizon before the compaction: only the old orphan goes; every version stays readable.
    const early = await table.vacuum({ olderThanMs: compactedAt - 1 });
    expect(early).toEqual({ deleted: [oldOrphan], bytes: 10 });
    for (let v = 1; v <= 5; v++) {
      await table.loadVersion(v);
      await table.scanAll();
    }

    // A horizon after it: a dry run lists, then vacuum deletes, the replaced files and the fresh orphan.
    const horizon = Date.now() + 1000;
    // A grace period for files no log entry names keeps the fresh orphan.
    const graced = await table.vacuum({
      olderThanMs: horizon,
      orphansOlderThanMs: compactedAt - 1,
      dryRun: true,
    });
    expect(graced.deleted).toEqual([...survivors].sort());
    const expected = [...survivors, freshOrphan].sort();
    const dry = await table.vacuum({ olderThanMs: horizon, dryRun: true });
    expect(dry.deleted).toEqual(expected);
    for (const f of expected) expect(existsSync(join(dir, f))).toBe(true);
    const done = await table.vacuum({ olderThanMs: horizon });
    expect(done).toEqual(dry);
    expect(done.bytes).toBeGreaterThan(0);
    for (const f of expected) expect(existsSync(join(dir, f))).toBe(false);
    for (const f of [
      "part_id=p2/notes.txt",
      "_large_files/sha256=ab.parquet",
      "_delta_log/junk.parquet",
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);

    // The newest version reads everything; a version before the compaction lost its p1 files.
    const newest = await NativeTable.open(dir);
    expect(rowsOf(await newest.scanAll()).numRows).toBe(9);
    await newest.loadVersion(4);
    expect((await codeOf(newest.scanPartition("p1"))).code).toBe("CORRUPT");
    expect(rowsOf(await newest.scanPartition("p2")).numRows).toBe(2);
    expect(await table.vacuum({ olderThanMs: horizon })).toEqual({ deleted: [], bytes: 0 });
  });

  it("deletes nothing from a table that never removed a file", async () => {
    const table = await populated(dir);
    // Nothing was ever removed: even a horizon in the future deletes nothing.
    expect(await table.vacuum({ olderThanMs: Date.now() + 60_000 })).toEqual({
      deleted: [],
      bytes: 0,
    });
    expect(rowsOf(await table.scanAll()).numRows).toBe(9);
  });
});

describe("NativeTable log cleanup", () => {
  it("cleans up the log before a version, which becomes the oldest one; older ones fail clearly", async () => {
    const table = await populated(dir, { "delta.checkpointInterval": "3" });
    await table.commit(...ipc([{ part: "p1", node: "e" }], 5), 5, info("5"));
    await table.commit(...ipc([{ part: "p1", node: "f" }], 6), 6, info("6"));
    const at4 = await NativeTable.open(dir, 4);
    const rowsAt4 = fullRows(rowsOf(await at4.scanAll()));
    expect(logEntries(dir)).toContain(entryName(3, "checkpoint.parquet"));
    expect(logEntries(dir)).toContain(entryName(6, "checkpoint.parquet"));

    expect((await codeOf(table.cleanupLog(7))).code).toBe("EINVAL");
    const result = await table.cleanupLog(4);
    expect(result.oldestVersion).toBe(4);
    expect(result.deleted).toEqual([
      `_delta_log/${entryName(0)}`,
      `_delta_log/${entryName(1)}`,
      `_delta_log/${entryName(2)}`,
      `_delta_log/${entryName(3)}`,
      `_delta_log/${entryName(3, "checkpoint.parquet")}`,
    ]);
    const log = logEntries(dir);
    expect(log).toContain(entryName(4, "checkpoint.parquet"));
    expect(log).toContain(entryName(4));
    expect(log).toContain(entryName(6, "checkpoint.parquet"));
    expect(
      JSON.parse(readFileSync(join(dir, "_delta_log", "_last_checkpoint"), "utf8")).version,
    ).toBe(6);
    expect(await table.oldestVersion()).toBe(4);

    // At and after the oldest version everything reads; before it, a clear ENOENT.
    const reopened = await NativeTable.open(dir, 4);
    expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rowsAt4);
    await reopened.loadVersion(5);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toContain("p1/e@1");
    for (const failure of [
      await codeOf(NativeTable.open(dir, 3)),
      await codeOf(reopened.loadVersion(1)),
      await codeOf(reopened.readVersion(2)),
    ]) {
      expect(failure.code).toBe("ENOENT");
      expect(failure.message).toContain("oldest available version");
      expect(failure.message).toContain("4");
    }
    expect(pairs(rowsOf(await reopened.readVersion(5)))).toEqual(["p1/e@1"]);
    const history = JSON.parse(await table.history());
    expect(history.map((h: { version: number }) => h.version)).toEqual([4, 5, 6]);

    // Writers and readers go on: a commit, an update elsewhere, a handle lagging behind.
    await table.commit(...ipc([{ part: "p1", node: "g" }], 7), 7, info("7"));
    expect(await reopened.update()).toBe(7);
    expect(await at4.update()).toBe(7);
    expect(rowsOf(await at4.scanPartition("p1")).numRows).toBe(8);
    expect((await NativeTable.open(dir)).version()).toBe(7);

    // A writer that lagged behind the cleanup has lost its version, and updates past it.
    const lagging = await NativeTable.open(dir, 4);
    await table.commit(...ipc([{ part: "p1", node: "h" }], 8), 8, info("8"));
    await table.cleanupLog(6);
    const lost = await codeOf(lagging.commit(...ipc([{ part: "p1", node: "x" }], 5), 5, info("x")));
    expect(lost.code).toBe("VERSION_EXISTS");
    expect(existsSync(join(dir, "_delta_log", entryName(5)))).toBe(false);
    expect(await lagging.update()).toBe(8);
    await lagging.commit(...ipc([{ part: "p1", node: "x" }], 9), 9, info("9"));
    expect(await table.update()).toBe(9);
    expect(rowsOf(await table.scanPartition("p1")).numRows).toBe(10);

    // Not past the oldest version: nothing to do.
    expect(await table.cleanupLog(3)).toEqual({ deleted: [], oldestVersion: 6 });
    expect(await table.cleanupLog(6)).toEqual({ deleted: [], oldestVersion: 6 });
  });

  it("writes the checkpoint it needs and reports the base checkpoint's files in dataFiles", async () => {
    const table = await populated(dir);
    await table.compact(5);
    await table.commit(...ipc([{ part: "p1", node: "e" }], 6), 6, info("6"));
    expect(logEntries(dir).some((f) => f.includes("checkpoint"))).toBe(false);
    const result = await table.cleanupLog(6);
    expect(result.deleted).toHaveLength(6);
    expect(logEntries(dir)).toContain(entryName(6, "checkpoint.parquet"));
    expect(
      JSON.parse(readFileSync(join(dir, "_delta_log", "_last_checkpoint"), "utf8")).version,
    ).toBe(6);
    const files = await table.dataFiles();
    // The checkpoint lists the live files: three compacted ones and the new one.
    expect(files.map((f) => f.version)).toEqual([6, 6, 6, 6]);
    // Vacuum still knows the files the compaction removed (tombstones in the checkpoint).
    const vacuumed = await table.vacuum({ olderThanMs: Date.now() + 1000 });
    expect(vacuumed.deleted).toHaveLength(8);
    expect(parquetFiles(dir).sort()).toEqual(files.map((f) => f.path).sort());
    expect(rowsOf(await (await NativeTable.open(dir)).scanAll()).numRows).toBe(10);
  });
});

describe("NativeTable properties", () => {
  it("merges pond.* properties, the checkpoint interval and the deleted-file retention into the configuration as one version", async () => {
    const table = await NativeTable.create(dir, { "pond.format": "1" });
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const other = await NativeTable.open(dir);
    await table.setProperties(
      {
        "pond.retention": "30d",
        "delta.checkpointInterval": "2",
        "delta.deletedFileRetentionDuration": "interval 30 days",
      },
      2,
    );
    expect(table.version()).toBe(2);
    expect(table.properties()).toMatchObject({
      "pond.format": "1",
      "pond.retention": "30d",
      "delta.checkpointInterval": "2",
      "delta.deletedFileRetentionDuration": "interval 30 days",
      "delta.enableExpiredLogCleanup": "false",
    });
    expect(rowsOf(await table.readVersion(2)).numRows).toBe(0);
    expect(await other.update()).toBe(2);
    expect(other.properties()["pond.retention"]).toBe("30d");
    expect(pairs(rowsOf(await other.scanPartition("p")))).toEqual(["p/a@1"]);
    const reopened = await NativeTable.open(dir);
    expect(reopened.properties()["pond.retention"]).toBe("30d");
    // The new interval is in force.
    expect(
      (await table.commit(...ipc([{ part: "p", node: "b" }], 3), 3, info("3"))).checkpointed,
    ).toBe(false);
    expect(
      (await table.commit(...ipc([{ part: "p", node: "c" }], 4), 4, info("4"))).checkpointed,
    ).toBe(true);
    const history = JSON.parse(await table.history());
    expect(history[2].info.operation).toBe("SET TBLPROPERTIES");
    // The old version still has the old configuration.
    expect((await NativeTable.open(dir, 1)).properties()["pond.retention"]).toBeUndefined();
  });

  it("refuses other keys and bad intervals with EINVAL, and a lost version with VERSION_EXISTS", async () => {
    const a = await NativeTable.create(dir, {});
    const b = await NativeTable.open(dir);
    const refused: Record<string, string>[] = [
      { "delta.logRetentionDuration": "interval 1 days" },
      { "delta.enableDeletionVectors": "true" },
      { "delta.checkpointInterval": "0" },
      { "delta.checkpointInterval": "often" },
      { "delta.deletedFileRetentionDuration": "soon" },
      { "delta.deletedFileRetentionDuration": "interval 3 fortnights" },
      { "delta.deletedFileRetentionDuration": "interval -1 days" },
    ];
    for (const bad of refused) {
      expect((await codeOf(a.setProperties(bad, 1))).code).toBe("EINVAL");
    }
    expect((await codeOf(a.setProperties({ "pond.x": "1" }, 2))).code).toBe("EINVAL");
    await a.setProperties({ "pond.x": "1" }, 1);
    expect((await codeOf(b.setProperties({ "pond.x": "2" }, 1))).code).toBe("VERSION_EXISTS");
    expect(b.properties()["pond.x"]).toBeUndefined();
    expect(await b.update()).toBe(1);
    await b.setProperties({ "pond.x": "2" }, 2);
    expect((await NativeTable.open(dir)).properties()["pond.x"]).toBe("2");
  });
});

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

describe("NativeTable maintenance interop", () => {
  it("leaves a compacted, vacuumed and log-cleaned table the delta-rs Python package reads", async () => {
    const table = await populated(dir);
    const added = (before: string[]) => parquetFiles(dir).find((f) => !before.includes(f));
    const beforeCompaction = parquetFiles(dir);
    await table.compact(5);
    const compacted = added(beforeCompaction);
    const beforeCommit = parquetFiles(dir);
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
      ["-c", script, dir, compacted ?? "", committed ?? ""],
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
