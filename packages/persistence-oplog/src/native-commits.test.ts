// The op-log addon's commits and reads: one version per commit, scans, history, time travel.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  codeOf,
  info,
  ipc,
  pairs,
  parquetFiles,
  rowsOf,
  useTempDir,
} from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable commits and reads", () => {
  it("commits rows of three partitions as one version with one file per partition", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    const rows = [
      { part: "p1", node: "n1" },
      { part: "p2", node: "n2" },
      { part: "p1", node: "n3" },
      { part: "p3", node: "n4" },
    ];
    const result = await table.commit(...ipc(rows), 1, info("first"));
    expect(result).toMatchObject({ version: 1, files: 3, partitions: 3, checkpointed: false });
    expect(table.version()).toBe(1);
    expect(parquetFiles(tmp.dir)).toHaveLength(3);
    expect(existsSync(join(tmp.dir, "_delta_log", "00000000000000000002.json"))).toBe(false);

    const reopened = await NativeTable.open(tmp.dir);
    expect(reopened.version()).toBe(1);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toEqual(["p1/n1@1", "p1/n3@1"]);
  });

  it("writes the same files from rows grouped by partition as from interleaved ones", async () => {
    const grouped = await NativeTable.create(join(tmp.dir, "grouped"), {});
    const interleaved = await NativeTable.create(join(tmp.dir, "interleaved"), {});
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
    expect(parquetFiles(join(tmp.dir, "grouped"))).toHaveLength(2);
  });

  it("writes one file per partition with its Delta stats, from rows that arrive apart", async () => {
    const table = await NativeTable.create(tmp.dir, {});
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
    const entry = readFileSync(join(tmp.dir, "_delta_log", "00000000000000000001.json"), "utf8");
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
    const table = await NativeTable.create(tmp.dir, {});
    const [rows, contents] = ipc([{ part: "p1", node: "a" }]);
    expect((await codeOf(table.commit(rows, [], 1, info("x")))).code).toBe("EINVAL");
    const short = [new Uint8Array(1)];
    expect((await codeOf(table.commit(rows, short, 1, info("x")))).code).toBe("EINVAL");
    expect(table.version()).toBe(0);
    expect(parquetFiles(tmp.dir)).toHaveLength(0);
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
    const table = await NativeTable.create(tmp.dir, {});
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
    const table = await NativeTable.create(tmp.dir, {});
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
    const table = await NativeTable.create(tmp.dir, {});
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
    const table = await NativeTable.create(tmp.dir, {});
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
    const old = await NativeTable.open(tmp.dir, 1);
    expect(pairs(rowsOf(await old.readVersion(2)))).toEqual(["p2/b@1", "p3/c@1"]);
    expect(pairs(rowsOf(await old.readVersion(1)))).toEqual(["p1/a@1"]);
    expect(rowsOf(await old.readVersion(0)).numRows).toBe(0);
    expect((await codeOf(old.readVersion(9))).code).toBe("ENOENT");
  });

  it("lists history oldest first with the user metadata", async () => {
    const table = await NativeTable.create(tmp.dir, {});
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
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2"));
    await table.commit(...ipc([{ part: "p", node: "c" }]), 3, info("3"));

    await table.loadVersion(1);
    expect(table.version()).toBe(1);
    expect(pairs(rowsOf(await table.scanPartition("p")))).toEqual(["p/a@1"]);
    expect(JSON.parse(await table.history())).toHaveLength(2);
    await table.loadVersion(3);
    expect(pairs(rowsOf(await table.scanPartition("p")))).toEqual(["p/a@1", "p/b@1", "p/c@1"]);

    const at2 = await NativeTable.open(tmp.dir, 2);
    expect(at2.version()).toBe(2);
    expect(pairs(rowsOf(await at2.scanPartition("p")))).toEqual(["p/a@1", "p/b@1"]);
    expect(await at2.update()).toBe(3);

    expect((await codeOf(table.loadVersion(7))).code).toBe("ENOENT");
    expect((await codeOf(NativeTable.open(tmp.dir, 7))).code).toBe("ENOENT");
  });

  it("rejects a commit that is not at loaded + 1, or whose info is not a JSON object, with EINVAL", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    expect(
      (await codeOf(table.commit(...ipc([{ part: "p", node: "a" }]), 2, info("x")))).code,
    ).toBe("EINVAL");
    expect((await codeOf(table.commit(...ipc([{ part: "p", node: "a" }]), 1, "[1]"))).code).toBe(
      "EINVAL",
    );
    expect((await codeOf(table.commit(new Uint8Array([1, 2, 3]), [], 1, info("x")))).code).toBe(
      "EINVAL",
    );
    expect(parquetFiles(tmp.dir)).toHaveLength(0);
    expect(table.version()).toBe(0);
  });
});
