// bench:memory — a 100 × 100 × 1 KiB tree on the memory backend against memfs.

import { createMemoryFs } from "@pond/persistence-memory";
import { Volume } from "memfs";
import { printTable, type Row, time } from "./harness.js";

const DIRS = 100;
const FILES = 100;
const content = new Uint8Array(1024).map((_, i) => i % 251);

interface Target {
  mkdir(path: string): Promise<unknown>;
  writeFile(path: string, data: Uint8Array): Promise<unknown>;
  readdir(path: string): Promise<unknown[]>;
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<unknown>;
}

async function phases(target: Target): Promise<Record<string, number>> {
  const dirs = Array.from({ length: DIRS }, (_, d) => `/d${d}`);
  const files = dirs.flatMap((dir) => Array.from({ length: FILES }, (_, f) => `${dir}/f${f}.bin`));
  const result: Record<string, number> = {};
  result.write = await time(async () => {
    for (const dir of dirs) await target.mkdir(dir);
    for (const file of files) await target.writeFile(file, content);
  });
  result.readdir = await time(async () => {
    for (const dir of dirs) {
      if ((await target.readdir(dir)).length !== FILES) throw new Error("bad listing");
    }
  });
  result.read = await time(async () => {
    for (const file of files) {
      if ((await target.readFile(file)).length !== content.length) throw new Error("bad read");
    }
  });
  result.stat = await time(async () => {
    for (const file of files) await target.stat(file);
  });
  return result;
}

function pondTarget(root: Awaited<ReturnType<typeof createMemoryFs>>): Target {
  const wd = root.root();
  return {
    mkdir: (p) => wd.createDirPath(p),
    writeFile: (p, d) => wd.writeFile(p, d),
    readdir: (p) => wd.readdir(p),
    readFile: (p) => wd.readFile(p),
    stat: (p) => wd.stat(p),
  };
}

function memfsTarget(): Target {
  const vol = new Volume().promises;
  return {
    mkdir: (p) => vol.mkdir(p),
    writeFile: (p, d) => vol.writeFile(p, d),
    readdir: (p) => vol.readdir(p) as Promise<unknown[]>,
    readFile: (p) => vol.readFile(p) as Promise<Uint8Array>,
    stat: (p) => vol.stat(p),
  };
}

function record(into: Record<string, number[]>, figures: Record<string, number>): void {
  for (const [phase, ms] of Object.entries(figures)) into[phase] = [...(into[phase] ?? []), ms];
}

// The first round of each side warms the JIT up and is not counted.
const WARM_UP = 1;
const ROUNDS = 7;
const pond: Record<string, number[]> = {};
const memfs: Record<string, number[]> = {};
for (let round = -WARM_UP; round < ROUNDS; round++) {
  const fs = await createMemoryFs();
  const pondFigures = await phases(pondTarget(fs));
  await fs.close();
  const memfsFigures = await phases(memfsTarget());
  if (round < 0) continue;
  record(pond, pondFigures);
  record(memfs, memfsFigures);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rows: Row[] = Object.keys(pond).map((phase) => ({
  name: `${phase} (${DIRS * FILES} files)`,
  pond: median(pond[phase] as number[]),
  baseline: median(memfs[phase] as number[]),
  unit: "ms",
  goal: 0.5,
}));
printTable(
  `bench:memory — ${DIRS} dirs × ${FILES} files × 1 KiB, each write its own transaction (median of ${ROUNDS} after ${WARM_UP} warm-up)`,
  "memfs",
  rows,
);
