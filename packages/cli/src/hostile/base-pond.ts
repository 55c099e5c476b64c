// The pond every hostile case starts from, made by the pond command itself: directories, small
// and large files with several versions, a moved and a removed file, symlinks and a series.

import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPond } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";
import type { DeltaWorker } from "./delta-worker.js";
import { PondModel } from "./pond-model.js";

/**
 * How many directories deep the deep variant's chain goes (one `pond mkdir -p`). Its paths add up
 * to 9 MB of `ls -l '**'` output; at 8,000 deep they are 64 MB, and `ls -l` and `show`, which hold
 * what they print to align it, pass the suite's memory bound.
 */
export const DEEP_CHAIN = 3000;

export interface BasePond {
  /** The pond's directory: copied, never changed. */
  dir: string;
  model: PondModel;
  /** The newest bytes of every data file, by pond path. */
  files: ReadonlyMap<string, Uint8Array>;
  /** The file:series downsampling reads. */
  series: string;
  /** The deepest directory of the deep variant. */
  deepest?: string;
}

/** A byte pattern of `size` bytes: large enough ones go to `_large_files`. */
function pattern(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

const text = (s: string) => new TextEncoder().encode(s);

/** Builds the base pond in `workspace/pond` with real pond commands. */
export async function buildBasePond(workspace: string, worker: DeltaWorker): Promise<BasePond> {
  const host = join(workspace, "host");
  await mkdir(host, { recursive: true });
  const dir = join(workspace, "pond");
  const hostFiles: Record<string, Uint8Array> = {
    "readme.md": text("Readme of the base pond.\n"),
    "notes.txt": text("first notes\n"),
    "notes-2.txt": text("second notes, a new version\n"),
    "big.bin": pattern(100_000, 1),
    "big2.bin": pattern(70_000, 2),
    "big2-2.bin": pattern(90_000, 3),
    "small.csv": text("time,value\n2025-01-06T08:00Z,1\n"),
    "gone.txt": text("removed later\n"),
    "chunk1.parquet": await seriesChunk(Date.UTC(2025, 0, 1), 48, 3_600_000),
    "chunk2.parquet": await seriesChunk(Date.UTC(2025, 0, 3), 48, 3_600_000),
  };
  for (const [name, bytes] of Object.entries(hostFiles)) await writeFile(join(host, name), bytes);
  const pond = async (...args: string[]) => {
    const run = await runPond(["--pond", dir, ...args], { cwd: host });
    if (run.code !== 0) throw new Error(`pond ${args.join(" ")} exited ${run.code}: ${run.err}`);
  };
  await pond("init");
  await pond("mkdir", "-p", "/docs", "/data/raw", "/data/empty", "/links", "/sensors");
  await pond("copy", "readme.md", "notes.txt", "gone.txt", "/docs/");
  await pond("copy", "big.bin", "big2.bin", "small.csv", "/data/raw/");
  await pond("copy", "notes-2.txt", "/docs/notes.txt");
  await pond("copy", "big2-2.bin", "/data/raw/big2.bin");
  await pond("ln", "-s", "/docs/readme.md", "/links/readme");
  await pond("ln", "-s", "../data/raw", "/links/raw");
  await pond("copy", "--series", "chunk1.parquet", "/sensors/series");
  await pond("copy", "--series", "chunk2.parquet", "/sensors/series");
  await pond("mv", "/docs/notes.txt", "/data/notes.txt");
  await pond("rm", "/docs/gone.txt");
  const files = new Map<string, Uint8Array>([
    ["/docs/readme.md", hostFiles["readme.md"] as Uint8Array],
    ["/data/notes.txt", hostFiles["notes-2.txt"] as Uint8Array],
    ["/data/raw/big.bin", hostFiles["big.bin"] as Uint8Array],
    ["/data/raw/big2.bin", hostFiles["big2-2.bin"] as Uint8Array],
    ["/data/raw/small.csv", hostFiles["small.csv"] as Uint8Array],
  ]);
  return {
    dir,
    model: PondModel.fromRows(await worker.rows(dir)),
    files,
    series: "/sensors/series",
  };
}

/** The base pond plus a chain of {@link DEEP_CHAIN} directories under /deep, in `workspace`. */
export async function buildDeepPond(
  base: BasePond,
  workspace: string,
  worker: DeltaWorker,
): Promise<BasePond> {
  const dir = join(workspace, "pond");
  await mkdir(workspace, { recursive: true });
  await cp(base.dir, dir, { recursive: true });
  const deepest = `/deep${"/d".repeat(DEEP_CHAIN)}`;
  const run = await runPond(["--pond", dir, "mkdir", "-p", deepest], { cwd: workspace });
  if (run.code !== 0) throw new Error(`pond mkdir -p /deep/d/... exited ${run.code}: ${run.err}`);
  return { ...base, dir, model: PondModel.fromRows(await worker.rows(dir)), deepest };
}

/** The directories changes may target: the base's own, and the deep chain's ends when there. */
export function directoryPaths(base: BasePond): string[] {
  const paths = base.model.paths().filter((path) => {
    if (!path.startsWith("/deep/")) return base.model.at(path).entryType === "directory";
    return path === base.deepest;
  });
  return paths.sort();
}

/** The data files of the base (not the series, not symlinks). */
export function dataFilePaths(base: BasePond): string[] {
  return [...base.files.keys()].sort();
}

/** The pond path of the directory whose partition holds a node's rows. */
export function partitionPath(base: BasePond, path: string): string {
  const node = base.model.at(path);
  const dir = base.model.nodes.get(node.partId);
  if (!dir) throw new Error(`no directory for the partition of ${path}`);
  return dir.path;
}
