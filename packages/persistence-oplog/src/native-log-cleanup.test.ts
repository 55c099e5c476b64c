// The op-log addon's log cleanup: the oldest loadable version moves, older ones fail clearly.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  codeOf,
  entryName,
  fullRows,
  info,
  ipc,
  logEntries,
  pairs,
  parquetFiles,
  populated,
  rowsOf,
  useTempDir,
} from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable log cleanup", () => {
  it("cleans up the log before a version, which becomes the oldest one; older ones fail clearly", async () => {
    const table = await populated(tmp.dir, { "delta.checkpointInterval": "3" });
    await table.commit(...ipc([{ part: "p1", node: "e" }], 5), 5, info("5"));
    await table.commit(...ipc([{ part: "p1", node: "f" }], 6), 6, info("6"));
    await table.settleCheckpoint();
    const at4 = await NativeTable.open(tmp.dir, 4);
    const rowsAt4 = fullRows(rowsOf(await at4.scanAll()));
    expect(logEntries(tmp.dir)).toContain(entryName(3, "checkpoint.parquet"));
    expect(logEntries(tmp.dir)).toContain(entryName(6, "checkpoint.parquet"));

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
    const log = logEntries(tmp.dir);
    expect(log).toContain(entryName(4, "checkpoint.parquet"));
    expect(log).toContain(entryName(4));
    expect(log).toContain(entryName(6, "checkpoint.parquet"));
    expect(
      JSON.parse(readFileSync(join(tmp.dir, "_delta_log", "_last_checkpoint"), "utf8")).version,
    ).toBe(6);
    expect(await table.oldestVersion()).toBe(4);

    // At and after the oldest version everything reads; before it, a clear ENOENT.
    const reopened = await NativeTable.open(tmp.dir, 4);
    expect(fullRows(rowsOf(await reopened.scanAll()))).toEqual(rowsAt4);
    await reopened.loadVersion(5);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toContain("p1/e@1");
    for (const failure of [
      await codeOf(NativeTable.open(tmp.dir, 3)),
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
    expect((await NativeTable.open(tmp.dir)).version()).toBe(7);

    // A writer that lagged behind the cleanup has lost its version, and updates past it.
    const lagging = await NativeTable.open(tmp.dir, 4);
    await table.commit(...ipc([{ part: "p1", node: "h" }], 8), 8, info("8"));
    await table.cleanupLog(6);
    const lost = await codeOf(lagging.commit(...ipc([{ part: "p1", node: "x" }], 5), 5, info("x")));
    expect(lost.code).toBe("VERSION_EXISTS");
    expect(existsSync(join(tmp.dir, "_delta_log", entryName(5)))).toBe(false);
    expect(await lagging.update()).toBe(8);
    await lagging.commit(...ipc([{ part: "p1", node: "x" }], 9), 9, info("9"));
    expect(await table.update()).toBe(9);
    expect(rowsOf(await table.scanPartition("p1")).numRows).toBe(10);

    // Not past the oldest version: nothing to do.
    expect(await table.cleanupLog(3)).toEqual({ deleted: [], oldestVersion: 6 });
    expect(await table.cleanupLog(6)).toEqual({ deleted: [], oldestVersion: 6 });
  });

  it("writes the checkpoint it needs and reports the base checkpoint's files in dataFiles", async () => {
    const table = await populated(tmp.dir);
    await table.compact(5);
    await table.commit(...ipc([{ part: "p1", node: "e" }], 6), 6, info("6"));
    expect(logEntries(tmp.dir).some((f) => f.includes("checkpoint"))).toBe(false);
    const result = await table.cleanupLog(6);
    expect(result.deleted).toHaveLength(6);
    expect(logEntries(tmp.dir)).toContain(entryName(6, "checkpoint.parquet"));
    expect(
      JSON.parse(readFileSync(join(tmp.dir, "_delta_log", "_last_checkpoint"), "utf8")).version,
    ).toBe(6);
    const files = await table.dataFiles();
    // The checkpoint lists the live files: three compacted ones and the new one.
    expect(files.map((f) => f.version)).toEqual([6, 6, 6, 6]);
    // Vacuum still knows the files the compaction removed (tombstones in the checkpoint).
    const vacuumed = await table.vacuum({ olderThanMs: Date.now() + 1000 });
    expect(vacuumed.deleted).toHaveLength(8);
    expect(parquetFiles(tmp.dir).sort()).toEqual(files.map((f) => f.path).sort());
    expect(rowsOf(await (await NativeTable.open(tmp.dir)).scanAll()).numRows).toBe(10);
  });
});
