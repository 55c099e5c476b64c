// bench:scale — a long-lived pond: costs against age, maintenance, and large files in bounded memory.

import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOplogFs, maintainOplog, openOplogFs } from "@pond/persistence-oplog";
import { percentile, printTable, type Row, time } from "./harness.js";
import { processCost } from "./process-cost.js";
import { million } from "./scale-million.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-bench-scale-"));
const CLI = fileURLToPath(new URL("../../../packages/cli/dist/bin.js", import.meta.url));
const MiB = 1024 * 1024;
const args = new Set(process.argv.slice(2));
const LARGE_BYTES = Number(process.env.POND_BENCH_LARGE_MIB ?? 2048) * MiB;
const OLD_COMMITS = Number(process.env.POND_BENCH_COMMITS ?? 10_000);

/** Median of `runs` timings of fn, after one warm-up. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await time(fn));
  return percentile(samples, 0.5);
}

/** A directory of 10,000 entries, built in `transactions` transactions. */
async function directoryPond(transactions: number): Promise<string> {
  const path = join(scratch, `dir-${transactions}`);
  const fs = await createOplogFs(path);
  await fs.root().createDirPath("/big");
  const perTransaction = 10_000 / transactions;
  for (let t = 0; t < transactions; t++) {
    await fs.transaction(async (root) => {
      for (let i = 0; i < perTransaction; i++) {
        await root.writeFile(`/big/f${t * perTransaction + i}`, "x");
      }
    });
  }
  await fs.close();
  return path;
}

async function listCold(path: string, expected = 10_000): Promise<void> {
  const fs = await openOplogFs(path, { readOnly: true });
  const entries = await fs.root().readdir("/big");
  if (entries.length !== expected) throw new Error(`listed ${entries.length}`);
  await fs.close();
}

function writeLargeHostFile(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(8 * MiB);
  for (let written = 0, i = 0; written < bytes; written += chunk.length, i++) {
    chunk.fill(i & 0xff);
    chunk.writeUInt32LE(i, 0);
    writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  }
  closeSync(fd);
}

async function largeFiles(rows: Row[]): Promise<void> {
  const host = join(scratch, "large.bin");
  writeLargeHostFile(host, LARGE_BYTES);
  const pond = join(scratch, "large-pond");
  const out = join(scratch, "exported");
  execFileSync(process.execPath, [CLI, "--pond", pond, "init"]);
  // Each step starts with nothing left to write back, so none pays for the one before it.
  execFileSync("sync");
  const copy = processCost(process.execPath, [CLI, "--pond", pond, "copy", host, "/large.bin"]);
  execFileSync("sync");
  const cp = processCost("cp", [host, join(scratch, "cp-copy.bin")]);
  rmSync(join(scratch, "cp-copy.bin"));
  execFileSync("sync");
  // pond's copy is durable when it returns (fsync); cp's only after a sync.
  const cpSync = processCost("sh", [
    "-c",
    'cp "$0" "$1" && sync',
    host,
    join(scratch, "cp-copy.bin"),
  ]);
  rmSync(join(scratch, "cp-copy.bin"));
  execFileSync("mkdir", ["-p", out]);
  execFileSync("sync");
  const exported = processCost(process.execPath, [
    CLI,
    "--pond",
    pond,
    "export",
    "/large.bin",
    out,
  ]);
  execFileSync("cmp", [host, join(out, "large.bin")]);
  const label = `${Math.round(LARGE_BYTES / MiB)} MiB`;
  // Throughput at least 0.8 × cp's is time at most 1.25 × cp's.
  rows.push({
    name: `pond copy of ${label} (vs cp)`,
    pond: copy.ms,
    baseline: cp.ms,
    unit: "ms",
    goal: 1.25,
  });
  rows.push({
    name: `the same (vs cp && sync)`,
    pond: copy.ms,
    baseline: cpSync.ms,
    unit: "ms",
  });
  rows.push({
    name: `pond export of ${label} (vs cp)`,
    pond: exported.ms,
    baseline: cp.ms,
    unit: "ms",
    goal: 1.25,
  });
  rows.push({
    name: `peak RSS, pond copy of ${label} (vs cp)`,
    pond: copy.peakMiB,
    baseline: cp.peakMiB,
    unit: "MiB",
    atMost: 256,
  });
  rows.push({
    name: `peak RSS, pond export of ${label} (vs cp)`,
    pond: exported.peakMiB,
    baseline: cp.peakMiB,
    unit: "MiB",
    atMost: 256,
  });
  rmSync(host);
  rmSync(out, { recursive: true });
}

async function directories(rows: Row[]): Promise<void> {
  const many = await directoryPond(1000);
  const one = await directoryPond(1);
  rows.push({
    name: "list 10,000 entries built over 1,000 txns (vs 1 txn)",
    pond: await median(7, () => listCold(many)),
    baseline: await median(7, () => listCold(one)),
    unit: "ms",
    goal: 2,
  });
}

/** `commits` single-file commits: 10 directories, 100 files, each file rewritten as it comes round. */
async function agedPond(commits: number): Promise<string> {
  const path = join(scratch, `aged-${commits}`);
  const fs = await createOplogFs(path);
  for (let d = 0; d < 10; d++) await fs.root().createDirPath(`/data/d${d}`, { recursive: true });
  for (let i = 0; i < commits; i++) {
    await fs.root().writeFile(`/data/d${i % 10}/f${i % 100}`, `reading ${i}`);
  }
  await fs.close();
  return path;
}

async function openAndRead(path: string): Promise<void> {
  const fs = await openOplogFs(path, { readOnly: true });
  await fs.root().readFile("/data/d3/f33");
  await fs.close();
}

function tableFiles(path: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const part of readdirSync(path)) {
    if (!part.startsWith("part_id=")) continue;
    for (const file of readdirSync(join(path, part))) {
      files++;
      bytes += statSync(join(path, part, file)).size;
    }
  }
  return { files, bytes };
}

async function aged(rows: Row[]): Promise<void> {
  const old = await agedPond(OLD_COMMITS);
  const young = await agedPond(100);
  const unmaintained = await median(7, () => openAndRead(old));
  const before = tableFiles(old);
  const copyTime = await time(() => execFileSync("cp", ["-r", old, `${old}-copy`]));
  rmSync(`${old}-copy`, { recursive: true });
  let report: Awaited<ReturnType<typeof maintainOplog>> | undefined;
  const compaction = await time(async () => {
    report = await maintainOplog(old);
  });
  const { filesRemoved, filesAdded, bytesRemoved, bytesAdded } = (
    report as NonNullable<typeof report>
  ).compaction;
  const live = {
    files: before.files - filesRemoved + filesAdded,
    bytes: before.bytes - bytesRemoved + bytesAdded,
  };
  await maintainOplog(young);
  const youngMaintained = await median(7, () => openAndRead(young));
  rows.push({
    name: `open + read after ${OLD_COMMITS} commits, maintained (vs 100)`,
    pond: await median(7, () => openAndRead(old)),
    baseline: youngMaintained,
    unit: "ms",
    goal: 2,
  });
  rows.push({
    name: `open + read after ${OLD_COMMITS} commits, unmaintained (vs 100)`,
    pond: unmaintained,
    baseline: youngMaintained,
    unit: "ms",
  });
  rows.push({
    name: `compaction of the ${OLD_COMMITS}-commit pond (vs cp -r of it)`,
    pond: compaction,
    baseline: copyTime,
    unit: "ms",
  });
  // The replaced files stay on disk for time travel until retention lets vacuum delete them.
  rows.push({
    name: "data files the newest version reads, after compaction (vs before)",
    pond: live.files,
    baseline: before.files,
    unit: "files",
  });
  rows.push({
    name: "their size, after compaction (vs before)",
    pond: live.bytes / MiB,
    baseline: before.bytes / MiB,
    unit: "MiB",
  });
  // With a history retention, what the open reads stops growing with age: the log entries
  // and the tombstones of replaced files older than the retention go.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await maintainOplog(old, { retention: "1s", orphanGraceMs: 0 });
  rows.push({
    name: `open + read after ${OLD_COMMITS} commits, maintained, 1s retention (vs 100)`,
    pond: await median(7, () => openAndRead(old)),
    baseline: youngMaintained,
    unit: "ms",
  });
}

/**
 * How the directory snapshot interval K trades listing cost against bytes written:
 * a 1,000-entry directory built one entry per transaction, listed cold, for several K.
 */
async function snapshotIntervals(rows: Row[]): Promise<void> {
  const build = async (interval: number) => {
    const path = join(scratch, `snapshots-${interval}`);
    const fs = await createOplogFs(path, { directorySnapshotInterval: interval });
    const dir = await fs.root().createDirPath("/big");
    for (let i = 0; i < 1000; i++) await fs.root().writeFile(`/big/f${i}`, "x");
    await fs.close();
    const dirBytes = partitionBytes(path, dir.nodeId);
    const unmaintained = await median(7, () => listCold(path, 1000));
    await maintainOplog(path);
    return { path, dirBytes, unmaintained };
  };
  const none = await build(1_000_000);
  const baseline = await median(7, () => listCold(none.path, 1000));
  for (const interval of [16, 32, 64, 128, 256]) {
    const built = await build(interval);
    rows.push({
      name: `K=${interval}: cold listing (vs no snapshots), unmaintained`,
      pond: built.unmaintained,
      baseline: none.unmaintained,
      unit: "ms",
    });
    rows.push({
      name: `K=${interval}: cold listing (vs no snapshots), maintained`,
      pond: await median(7, () => listCold(built.path, 1000)),
      baseline,
      unit: "ms",
    });
    rows.push({
      name: `K=${interval}: bytes committed to the directory (vs no snapshots)`,
      pond: built.dirBytes / 1024,
      baseline: none.dirBytes / 1024,
      unit: "KiB",
    });
  }
}

function partitionBytes(path: string, partId: string): number {
  const dir = join(path, `part_id=${partId}`);
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

const rows: Row[] = [];
if (args.size === 0 || args.has("directories")) await directories(rows);
if (args.size === 0 || args.has("aged")) await aged(rows);
if (args.size === 0 || args.has("large")) await largeFiles(rows);
if (args.has("snapshots")) await snapshotIntervals(rows);
if (args.has("million")) await million(rows, scratch, CLI);
printTable("bench:scale — a long-lived pond", "baseline", rows);
rmSync(scratch, { recursive: true, force: true });
