// The op-log addon's vacuum: what it deletes and what it never touches.

import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  codeOf,
  parquetFiles,
  populated,
  rowsOf,
  useTempDir,
} from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable vacuum", () => {
  const old = new Date("2020-01-01T00:00:00Z");

  it("deletes exactly the files removed before the horizon and old orphans, never the log or large files", async () => {
    const table = await populated(tmp.dir);
    const compactedAt = Date.now();
    await table.compact(5, { minFiles: 3 });
    const removed = parquetFiles(tmp.dir).filter((f) => f.startsWith("part_id=p1/"));
    const live = (await table.dataFiles()).filter((f) => f.version === 5).map((f) => f.path);
    const survivors = removed.filter((f) => !live.includes(f));
    expect(survivors).toHaveLength(4);

    // Orphans: an old one (a failed commit long ago), a fresh one (a commit in flight), and
    // files vacuum must never touch.
    const oldOrphan = "part_id=p2/part-00000-orphan-c000.snappy.parquet";
    const freshOrphan = "part_id=p2/part-00000-inflight-c000.snappy.parquet";
    writeFileSync(join(tmp.dir, oldOrphan), "x".repeat(10));
    writeFileSync(join(tmp.dir, freshOrphan), "y");
    writeFileSync(join(tmp.dir, "part_id=p2", "notes.txt"), "keep");
    mkdirSync(join(tmp.dir, "_large_files"), { recursive: true });
    writeFileSync(join(tmp.dir, "_large_files", "sha256=ab.parquet"), "z");
    writeFileSync(join(tmp.dir, "_delta_log", "junk.parquet"), "z");
    for (const f of [
      oldOrphan,
      "part_id=p2/notes.txt",
      "_large_files/sha256=ab.parquet",
      "_delta_log/junk.parquet",
    ])
      utimesSync(join(tmp.dir, f), old, old);

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
    for (const f of expected) expect(existsSync(join(tmp.dir, f))).toBe(true);
    const done = await table.vacuum({ olderThanMs: horizon });
    expect(done).toEqual(dry);
    expect(done.bytes).toBeGreaterThan(0);
    for (const f of expected) expect(existsSync(join(tmp.dir, f))).toBe(false);
    for (const f of [
      "part_id=p2/notes.txt",
      "_large_files/sha256=ab.parquet",
      "_delta_log/junk.parquet",
    ])
      expect(existsSync(join(tmp.dir, f)), f).toBe(true);

    // The newest version reads everything; a version before the compaction lost its p1 files.
    const newest = await NativeTable.open(tmp.dir);
    expect(rowsOf(await newest.scanAll()).numRows).toBe(9);
    await newest.loadVersion(4);
    expect((await codeOf(newest.scanPartition("p1"))).code).toBe("CORRUPT");
    expect(rowsOf(await newest.scanPartition("p2")).numRows).toBe(2);
    expect(await table.vacuum({ olderThanMs: horizon })).toEqual({ deleted: [], bytes: 0 });
  });

  it("deletes nothing from a table that never removed a file", async () => {
    const table = await populated(tmp.dir);
    // Nothing was ever removed: even a horizon in the future deletes nothing.
    expect(await table.vacuum({ olderThanMs: Date.now() + 60_000 })).toEqual({
      deleted: [],
      bytes: 0,
    });
    expect(rowsOf(await table.scanAll()).numRows).toBe(9);
  });
});
