// pond site's work: every series the patterns match, downsampled to a ladder of resolutions
// and split into Parquet tiles, with the pages and the page script beside them. The site is
// built in a new directory and moved into place whole.

import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DerivedFileManager } from "@pond/derived";
import { PondError, sha256Hex, type WD } from "@pond/tinyfs";
import type { Table } from "apache-arrow";
import { plotAreaWidth } from "../charts/chart-figure.js";
import { aggregatedColumns } from "../charts/chart-points.js";
import { fittingResolution, type Rung, rungAtMost } from "../charts/resolution-ladder.js";
import { timeExtent } from "../charts/series-chart.js";
import type { CommandContext } from "../command.js";
import { derivedManager, loadDerived } from "../derived.js";
import { HostError, onHost } from "../errors.js";
import type { PondAt } from "../open-pond.js";
import { readPond } from "../pond-session.js";
import {
  type Level,
  type SeriesManifest,
  SITE_MARKER,
  TILE_BUCKETS,
  type Tile,
} from "./site-manifest.js";
import { type IndexEntry, indexPage, seriesPage } from "./site-pages.js";

/** The chart width the coarsest resolution is chosen for; pages pick theirs by their own width. */
export const PAGE_WIDTH = 960;

/** Each finer resolution is at most a quarter of the one above it. */
const LEVEL_STEP = 4;

/** The page script and the wasm module it loads, built beside the CLI. */
const ASSETS = ["page.js", "parquet_wasm_bg.wasm"];

export interface SiteRequest {
  /** The site's directory, as given. */
  outDir: string;
  patterns: readonly string[];
  at?: PondAt | undefined;
}

export interface SiteSummary {
  /** The site's directory, absolute. */
  dir: string;
  series: Array<{ path: string; page: string; resolutions: string[]; tiles: number }>;
  /** Matching files that are not timeseries, with why. */
  skipped: Array<{ path: string; reason: string }>;
}

export async function writeSite(
  context: CommandContext,
  request: SiteRequest,
): Promise<SiteSummary> {
  const dir = resolve(context.io.cwd, request.outDir);
  await checkReplaceable(dir, request.outDir);
  const staging = join(dirname(dir), `.${randomBytes(4).toString("hex")}.pond-site`);
  try {
    const summary = await readPond(context, request.at, async (fs) => {
      const manager = await derivedManager(fs);
      try {
        return await buildSite(fs.root(), manager, request, staging, context.location.display);
      } finally {
        await manager.close();
      }
    });
    await onHost(request.outDir, async () => {
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
    });
    return { ...summary, dir };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The site's directory must be missing, empty, or a site made before (which is replaced). */
async function checkReplaceable(dir: string, display: string): Promise<void> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw new HostError(error.code ?? "EIO", display, error.message, { cause: error });
  });
  if (names.length > 0 && !names.includes(SITE_MARKER)) {
    throw new HostError(
      "EEXIST",
      display,
      "exists and is not empty (and is not a site made by pond site)",
    );
  }
}

async function buildSite(
  root: WD,
  manager: DerivedFileManager,
  request: SiteRequest,
  out: string,
  pond: string,
): Promise<Omit<SiteSummary, "dir">> {
  const found = await findSeries(root, request.patterns);
  const summary: Omit<SiteSummary, "dir"> = { series: [], skipped: [] };
  const entries: IndexEntry[] = [];
  for (const path of found) {
    const slug = slugOf(path);
    let manifest: SeriesManifest;
    try {
      manifest = await writeSeries(root, manager, path, join(out, "data", slug));
    } catch (error) {
      if (!PondError.is(error, "EINVAL")) throw error;
      summary.skipped.push({ path, reason: error.detail });
      continue;
    }
    const page = `series/${slug}.html`;
    await put(join(out, page), seriesPage(path, `../data/${slug}/manifest.json`));
    const resolutions = manifest.levels.map((l) => l.resolution);
    const tiles = manifest.levels.reduce((n, l) => n + l.tiles.length, 0);
    summary.series.push({ path, page, resolutions, tiles });
    entries.push({
      path,
      href: page,
      extent: manifest.extent,
      columns: manifest.columns,
      resolutions,
    });
  }
  if (summary.series.length === 0) {
    throw new PondError(
      "ENOENT",
      "no timeseries to chart: no file:series or Parquet file:table matches",
      {
        path: request.patterns.join(" "),
      },
    );
  }
  await put(join(out, "index.html"), indexPage(pond, entries));
  await put(
    join(out, SITE_MARKER),
    `${JSON.stringify({ pond, series: summary.series }, null, 2)}\n`,
  );
  await mkdir(join(out, "assets"), { recursive: true });
  for (const asset of ASSETS) {
    await copyFile(
      fileURLToPath(new URL(`./browser/${asset}`, import.meta.url)),
      join(out, "assets", asset),
    );
  }
  return summary;
}

/**
 * The series and tables the patterns match, each once: a symlink counts only when
 * the node it leads to is not matched under its own name.
 */
async function findSeries(root: WD, patterns: readonly string[]): Promise<string[]> {
  const byNode = new Map<string, { path: string; link: boolean }>();
  for (const pattern of patterns) {
    for await (const match of root.glob(pattern)) {
      const { entry } = match;
      const path = match.path.startsWith("/") ? match.path : `/${match.path}`;
      const link = entry.entryType === "symlink";
      const meta = link ? await root.stat(path).catch(() => undefined) : entry;
      if (!meta || (meta.entryType !== "file:series" && meta.entryType !== "file:table")) continue;
      const seen = byNode.get(meta.nodeId);
      if (!seen || (seen.link && !link)) byNode.set(meta.nodeId, { path, link });
    }
  }
  return [...byNode.values()].map((v) => v.path).sort();
}

/** Downsamples one series to its ladder of resolutions and writes the tiles and manifest. */
async function writeSeries(
  root: WD,
  manager: DerivedFileManager,
  path: string,
  dir: string,
): Promise<SeriesManifest> {
  const { readParquet, writeParquet } = await loadDerived();
  const extent = await timeExtent(root, manager, [path]);
  const top = fittingResolution(extent[1] - extent[0], plotAreaWidth(PAGE_WIDTH));
  const coarse = await readParquet(
    (await manager.getDownsampledTimeseries(path, top.resolution)).bytes,
    path,
  );
  const columns = aggregatedColumns(coarse);
  const rungs = ladderDown(top, finestUseful(coarse, columns[0], extent));
  const files = await manager.getDownsampledTimeseries(
    path,
    rungs.map((r) => r.resolution),
  );
  const levels: Level[] = [];
  for (const [i, rung] of rungs.entries()) {
    const table = await readParquet((files[i] as { bytes: Uint8Array }).bytes, path);
    const tileMs = TILE_BUCKETS * rung.ms;
    const tiles: Tile[] = [];
    for (const [start, from, to] of tileRanges(table, tileMs)) {
      const file = `${rung.resolution}/${start}.parquet`;
      await put(join(dir, file), await writeParquet(table.slice(from, to)));
      tiles.push({ start, rows: to - from, file });
    }
    levels.push({ resolution: rung.resolution, resolutionMs: rung.ms, tileMs, tiles });
  }
  // A series of one instant still gets a span to draw: its coarsest bucket.
  const shown: [number, number] = [extent[0], Math.max(extent[1], extent[0] + top.ms)];
  const manifest: SeriesManifest = { path, columns, extent: shown, levels };
  await put(join(dir, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  return manifest;
}

/**
 * The finest resolution worth writing: the round one just under the series'
 * mean sampling interval (finer buckets would hold one reading each, or none).
 */
function finestUseful(table: Table, column: string | undefined, extent: [number, number]): Rung {
  const counts = table.getChild(`${column}.count`);
  let rows = 0;
  for (let i = 0; i < table.numRows; i++) rows += Number(counts?.get(i) ?? 0);
  // A little over the interval, so that readings exactly 10 s apart give 10 s.
  return rungAtMost(((extent[1] - extent[0]) / Math.max(rows - 1, 1)) * 1.01);
}

/** From `top` down to `finest`, each step at most a quarter of the one before. */
function ladderDown(top: Rung, finest: Rung): Rung[] {
  const rungs = [top];
  for (let last = top; last.ms > finest.ms; ) {
    const next = rungAtMost(last.ms / LEVEL_STEP);
    last = next.ms < finest.ms ? finest : next;
    rungs.push(last);
  }
  return rungs;
}

/** [tile start, first row, end row) of each tile holding rows, in order. */
function tileRanges(table: Table, tileMs: number): Array<[number, number, number]> {
  const times = table.getChild("timestamp");
  const ranges: Array<[number, number, number]> = [];
  for (let i = 0; i < table.numRows; i++) {
    const start = Math.floor(Number(times?.get(i)) / tileMs) * tileMs;
    const last = ranges.at(-1);
    if (last && last[0] === start) last[2] = i + 1;
    else ranges.push([start, i, i + 1]);
  }
  return ranges;
}

/** A file name for a pond path: readable, and unique by a hash of the whole path. */
function slugOf(path: string): string {
  const readable = path
    .replace(/^\/+/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .slice(0, 80);
  return `${readable}-${sha256Hex(new TextEncoder().encode(path)).slice(0, 8)}`;
}

async function put(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}
