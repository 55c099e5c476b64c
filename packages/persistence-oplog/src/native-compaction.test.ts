// The op-log addon's compaction: sorted files, the same rows, every older version kept, crash safe.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  codeOf,
  entryName,
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

describe("NativeTable compaction", () => {
  it("rewrites each partition as one sorted file in one OPTIMIZE version, keeping every row and every older version", async () => {
    const table = await populated(tmp.dir);
    const before: string[][] = [];
    for (let v = 0; v <= 4; v++) {
      const at = await NativeTable.open(tmp.dir, v);
      before.push(fullRows(rowsOf(await at.scanAll())));
      at.close();
    }
    const filesBefore = parquetFiles(tmp.dir);
    const bytesBefore = filesBefore.reduce((n, f) => n + statSync(join(tmp.dir, f)).size, 0);

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
    expect(existsSync(join(tmp.dir, "_delta_log", entryName(6)))).toBe(false);

    const entry = readFileSync(join(tmp.dir, "_delta_log", entryName(5)), "utf8")
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
    const reopened = await NativeTable.open(tmp.dir);
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
    const table = await populated(tmp.dir);
    const stats = await table.partitionStats();
    expect(stats.map((s) => [s.partId, s.files, s.rows])).toEqual([
      ["odd part/%", 2, 2],
      ["p1", 4, 5],
      ["p2", 2, 2],
    ]);
    const onDisk = (part: string) =>
      parquetFiles(tmp.dir)
        .filter((f) => f.startsWith(`${part}/`))
        .reduce((n, f) => n + statSync(join(tmp.dir, f)).size, 0);
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
    expect(existsSync(join(tmp.dir, "_delta_log", entryName(7)))).toBe(false);
    expect((await codeOf(table.compact(9))).code).toBe("EINVAL");
    expect((await codeOf(table.compact(7, { minFiles: 0 }))).code).toBe("EINVAL");
  });

  it("splits a partition into files of about targetRowsPerFile rows", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    for (let v = 1; v <= 5; v++) {
      const rows = Array.from({ length: 20 }, (_, i) => ({ part: "p", node: `n${v}-${i}` }));
      await table.commit(...ipc(rows, v), v, info(`${v}`));
    }
    const result = await table.compact(6, { targetRowsPerFile: 30, rowGroupRows: 8 });
    expect(result).toMatchObject({ filesRemoved: 5, filesAdded: 4, rows: 100 });
    expect(rowsOf(await table.scanPartition("p")).numRows).toBe(100);
  });

  it("moves a compaction that lost its version to an append on to the next version", async () => {
    const a = await populated(tmp.dir);
    const b = await NativeTable.open(tmp.dir);
    const rows = fullRows(rowsOf(await b.scanAll()));
    await a.commit(...ipc([{ part: "p1", node: "d" }], 5), 5, info("5"));
    expect(await b.compact(5)).toMatchObject({ version: 6 });
    expect(b.version()).toBe(6);
    const after = fullRows(rowsOf(await (await NativeTable.open(tmp.dir)).scanAll()));
    expect(after).toHaveLength(rows.length + 1);
    expect(after).toEqual(expect.arrayContaining(rows));
  });

  it("fails a compaction whose files another compaction replaced, leaving none of its files", async () => {
    const a = await populated(tmp.dir);
    const b = await NativeTable.open(tmp.dir);
    await a.compact(5);
    const before = parquetFiles(tmp.dir);
    const err = await codeOf(b.compact(5));
    expect(err.code).toBe("VERSION_EXISTS");
    expect(parquetFiles(tmp.dir)).toEqual(before);
    expect(await b.update()).toBe(5);
  });

  it("returns no rows from readVersion of an OPTIMIZE version, and the old rows from the old versions", async () => {
    const table = await populated(tmp.dir);
    await table.compact(5);
    expect(rowsOf(await table.readVersion(5)).numRows).toBe(0);
    expect(pairs(rowsOf(await table.readVersion(2)))).toEqual(["p1/a@1", "p1/b@2"]);
    await table.commit(...ipc([{ part: "p1", node: "d" }], 6), 6, info("6"));
    expect(pairs(rowsOf(await table.readVersion(6)))).toEqual(["p1/d@1"]);
  });

  it("lets a handle that updates past a foreign compaction and commits read the same rows", async () => {
    const a = await populated(tmp.dir);
    const b = await NativeTable.open(tmp.dir);
    const rows = fullRows(rowsOf(await b.scanAll()));
    await a.compact(5);
    await a.commit(...ipc([{ part: "p1", node: "d" }], 6), 6, info("6"));
    expect(await b.update()).toBe(6);
    const after = fullRows(rowsOf(await b.scanAll()));
    expect(after).toHaveLength(rows.length + 1);
    expect(after).toEqual(expect.arrayContaining(rows));
    expect((await b.partitionStats()).find((s) => s.partId === "p1")?.files).toBe(2);
    const fresh = await NativeTable.open(tmp.dir);
    expect(fullRows(rowsOf(await fresh.scanAll()))).toEqual(after);
  });

  it("reads only the row groups whose node_id statistics admit the node after compaction", async () => {
    const table = await NativeTable.create(tmp.dir, {});
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

describe("NativeTable compaction crash safety", () => {
  it("leaves the table at the old or the new version, with the same rows, when the compacting process is killed", async () => {
    const table = await NativeTable.create(tmp.dir, {});
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
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, tmp.dir], {
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

      const reopened = await NativeTable.open(tmp.dir);
      expect([version, version + 1]).toContain(reopened.version());
      expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rows);
      // The files of an interrupted compaction are orphans: vacuum reclaims them, nothing else.
      await reopened.vacuum({ olderThanMs: 0, orphansOlderThanMs: Date.now() + 1000 });
      const named = new Set((await reopened.dataFiles()).map((f) => f.path));
      expect(parquetFiles(tmp.dir).filter((f) => !named.has(f))).toEqual([]);
      expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rows);
      reopened.close();
      await table.update();
      await commitRound(100 + attempt);
    }
    expect(killedMidway).toBeGreaterThan(0);
  }, 120_000);
});
