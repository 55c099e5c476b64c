// bench:scale million — a pond of a million unique 1 KiB files against one of 10,000 built the same way.

import { randomFillSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOplogFs, openOplogFs } from "@pond/persistence-oplog";
import { medianTime, type Row, time } from "./harness.js";
import { type ProcessCost, processCost } from "./process-cost.js";

const FILES_PER_DIR = 1000;
const TRANSACTIONS = 100;
const GiB_IN_MiB = 1024;

/** Builds a pond of `files` random 1 KiB files, 1,000 a directory, in 100 transactions. */
async function importFiles(files: number, pond: string): Promise<void> {
  const perTransaction = Math.ceil(files / TRANSACTIONS);
  const fs = await createOplogFs(pond);
  for (let first = 0; first < files; first += perTransaction) {
    await fs.transaction(async (root) => {
      for (let i = first; i < Math.min(files, first + perTransaction); i++) {
        const dir = `/d${Math.floor(i / FILES_PER_DIR)}`;
        if (i % FILES_PER_DIR === 0) await root.createDirPath(dir);
        await root.writeFile(`${dir}/f${i % FILES_PER_DIR}`, randomFillSync(new Uint8Array(1024)));
      }
    });
  }
  await fs.close();
}

interface PondCosts {
  importMs: number;
  importRss: number;
  openAndReadMs: number;
  steps: Map<string, ProcessCost>;
}

async function measurePond(files: number, pond: string, cli: string): Promise<PondCosts> {
  const timing = `${pond}.import-ms`;
  const imported = processCost(process.execPath, [
    "--import",
    "tsx",
    new URL(import.meta.url).pathname,
    "import-worker",
    String(files),
    pond,
    timing,
  ]);
  const middle = `/d${Math.floor(files / FILES_PER_DIR / 2)}`;
  const openAndReadMs = await medianTime(7, async () => {
    const fs = await openOplogFs(pond, { readOnly: true });
    await fs.root().readFile(`${middle}/f500`);
    await fs.close();
  });
  const run = (...args: string[]) => processCost(process.execPath, [cli, "--pond", pond, ...args]);
  const steps = new Map<string, ProcessCost>([
    ["open + read one file (pond cat)", run("cat", `${middle}/f500`)],
    ["ls -l of one directory", run("ls", "-l", middle)],
    ["a glob over all files (ls '/*/*')", run("ls", "/*/*")],
    ["pond fsck", run("fsck")],
    ["pond maintain", run("maintain")],
  ]);
  return {
    importMs: Number(readFileSync(timing, "utf8")),
    importRss: imported.peakMiB,
    openAndReadMs,
    steps,
  };
}

export async function million(rows: Row[], scratch: string, cli: string): Promise<void> {
  const files = Number(process.env.POND_BENCH_FILES ?? 1_000_000);
  const reference = 10_000;
  const small = await measurePond(reference, join(scratch, "ten-thousand"), cli);
  const large = await measurePond(files, join(scratch, "million"), cli);
  const label = files.toLocaleString("en");
  const vs = `(vs ${reference.toLocaleString("en")})`;
  rows.push({
    name: `${label} files: import time per file ${vs}`,
    pond: (large.importMs / files) * 1000,
    baseline: (small.importMs / reference) * 1000,
    unit: "µs",
    goal: 1.3,
  });
  rows.push({
    name: `${label} files: peak RSS of the import ${vs}`,
    pond: large.importRss,
    baseline: small.importRss,
    unit: "MiB",
    atMost: GiB_IN_MiB,
  });
  rows.push({
    name: `${label} files: open + read one file, in process ${vs}`,
    pond: large.openAndReadMs,
    baseline: small.openAndReadMs,
    unit: "ms",
    goal: 2,
  });
  for (const [step, cost] of large.steps) {
    const before = small.steps.get(step) as ProcessCost;
    rows.push({
      name: `${label} files: ${step} ${vs}`,
      pond: cost.ms,
      baseline: before.ms,
      unit: "ms",
    });
    rows.push({
      name: `${label} files: peak RSS of ${step} ${vs}`,
      pond: cost.peakMiB,
      baseline: before.peakMiB,
      unit: "MiB",
      atMost: GiB_IN_MiB,
    });
  }
}

if (process.argv[2] === "import-worker") {
  const [files, pond, timing] = process.argv.slice(3) as [string, string, string];
  const took = await time(() => importFiles(Number(files), pond));
  writeFileSync(timing, String(took));
}
