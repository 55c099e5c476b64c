// From a pond to a chart: the time range, the resolution that fits, and one panel per column.

import type { DerivedFileManager } from "@pond/derived";
import { PondError, type WD } from "@pond/tinyfs";
import { loadDerived } from "../derived.js";
import { type ChartPanel, plotAreaWidth } from "./chart-figure.js";
import { aggregatedColumns, chartPoints, columnBuckets } from "./chart-points.js";
import { fittingResolution, type Rung } from "./resolution-ladder.js";

export interface SeriesChartRequest {
  paths: readonly string[];
  /** Only these columns (default: every numeric column). */
  columns?: readonly string[] | undefined;
  /** Epoch ms; default: where the data starts and ends. */
  start?: number | undefined;
  end?: number | undefined;
  /** A resolution such as "1h", or "auto": about one bucket per pixel column. */
  resolution: string;
  /** The chart's width in pixels. */
  width: number;
}

/** A panel with where it came from and how many buckets it shows. */
export interface SeriesPanel extends ChartPanel {
  path: string;
  column: string;
  buckets: number;
}

export interface SeriesChart {
  resolution: string;
  resolutionMs: number;
  /** The time range drawn, epoch ms. */
  domain: [number, number];
  panels: SeriesPanel[];
}

/** Downsamples every path at one resolution over one time range and makes its panels. */
export async function seriesChart(
  root: WD,
  manager: DerivedFileManager,
  request: SeriesChartRequest,
): Promise<SeriesChart> {
  const { parseResolution, readParquet } = await loadDerived();
  let start = request.start;
  let end = request.end;
  if (start === undefined || end === undefined) {
    const extent = await timeExtent(root, manager, request.paths);
    start ??= extent[0];
    end ??= Math.max(extent[1], start + 1);
  }
  if (start >= end) {
    throw new PondError("EINVAL", "nothing to plot: the time range is empty", {
      path: request.paths[0] as string,
    });
  }
  const rung: Rung =
    request.resolution === "auto"
      ? fittingResolution(end - start, plotAreaWidth(request.width))
      : { resolution: request.resolution, ms: parseResolution(request.resolution) };
  // Whole buckets at the open ends, so the first and last bands are not cut in half.
  const domain: [number, number] = [
    request.start ?? Math.floor(start / rung.ms) * rung.ms,
    request.end ?? Math.ceil(end / rung.ms) * rung.ms,
  ];
  const panels: SeriesPanel[] = [];
  for (const path of request.paths) {
    const file = await manager.getDownsampledTimeseries(path, rung.resolution, {
      range: { start: request.start, end: request.end },
      ...(request.columns && { columns: request.columns }),
    });
    const table = await readParquet(file.bytes, path);
    for (const column of aggregatedColumns(table)) {
      const buckets = columnBuckets(table, column);
      panels.push({
        path,
        column,
        label: request.paths.length > 1 ? `${path}: ${column}` : column,
        points: chartPoints(buckets, rung.ms),
        buckets: buckets.starts.length,
      });
    }
  }
  return { resolution: rung.resolution, resolutionMs: rung.ms, domain, panels };
}

/**
 * Where the data of `paths` starts and ends, epoch ms: from the event times a
 * series records per version, else from its coarsest downsample.
 */
export async function timeExtent(
  root: WD,
  manager: DerivedFileManager,
  paths: readonly string[],
): Promise<[number, number]> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const path of paths) {
    const versions = await root.listFileVersions(path);
    if (
      versions.length > 0 &&
      versions.every((v) => v.minEventTime !== undefined && v.maxEventTime !== undefined)
    ) {
      for (const v of versions) {
        lo = Math.min(lo, v.minEventTime as number);
        hi = Math.max(hi, v.maxEventTime as number);
      }
      continue;
    }
    const coarse = await manager.getDownsampledTimeseries(path, COARSEST);
    const { readParquet } = await loadDerived();
    const times = (await readParquet(coarse.bytes, path)).getChild("timestamp");
    if (!times || times.length === 0) continue;
    lo = Math.min(lo, Number(times.get(0)));
    hi = Math.max(hi, Number(times.get(times.length - 1)) + Number(coarse.params.resolutionMs));
  }
  if (lo > hi)
    throw new PondError("EINVAL", "nothing to plot: no rows", { path: paths[0] as string });
  return [lo, hi];
}

const COARSEST = "4w";
