// Downsampled buckets as chart points: per column, the bucket's min, mean and max at its
// centre, with a break wherever buckets are missing. Runs in Node and in the site's pages.

import type { Table } from "apache-arrow";

/** One bucket of one column; NaN values mark a gap (the line and band break there). */
export interface ChartPoint {
  /** The bucket's centre, epoch ms. */
  t: number;
  min: number;
  avg: number;
  max: number;
}

/** The buckets of one column: bucket starts (epoch ms) and the aggregates, in time order. */
export interface ColumnBuckets {
  starts: number[];
  min: number[];
  avg: number[];
  max: number[];
}

/** The numeric columns a downsampled table holds (those with `.avg` aggregates), in order. */
export function aggregatedColumns(table: Table): string[] {
  return table.schema.fields
    .map((f) => f.name)
    .filter((n) => n.endsWith(".avg"))
    .map((n) => n.slice(0, -".avg".length));
}

/** One column's buckets from a downsampled table (empty buckets have no row). */
export function columnBuckets(table: Table, column: string): ColumnBuckets {
  const times = table.getChild("timestamp");
  const read = (stat: string) => {
    const vector = table.getChild(`${column}.${stat}`);
    const out: number[] = [];
    for (let i = 0; i < table.numRows; i++) {
      const v = vector?.get(i);
      out.push(v === null || v === undefined ? Number.NaN : Number(v));
    }
    return out;
  };
  const starts: number[] = [];
  for (let i = 0; i < table.numRows; i++) starts.push(Number(times?.get(i)));
  return { starts, min: read("min"), avg: read("avg"), max: read("max") };
}

/**
 * Chart points of buckets `resolutionMs` wide. Consecutive buckets further apart
 * than 1.5 times the usual step (the resolution, or the sampling interval when
 * that is coarser) have a break between them.
 */
export function chartPoints(buckets: ColumnBuckets, resolutionMs: number): ChartPoint[] {
  const { starts } = buckets;
  const step = Math.max(resolutionMs, medianStep(starts));
  const points: ChartPoint[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    if (i > 0 && start - (starts[i - 1] as number) > 1.5 * step) {
      const t = (starts[i - 1] as number) + resolutionMs;
      points.push({ t, min: Number.NaN, avg: Number.NaN, max: Number.NaN });
    }
    points.push({
      t: start + resolutionMs / 2,
      min: buckets.min[i] as number,
      avg: buckets.avg[i] as number,
      max: buckets.max[i] as number,
    });
  }
  return points;
}

function medianStep(starts: readonly number[]): number {
  if (starts.length < 2) return 0;
  const steps: number[] = [];
  for (let i = 1; i < starts.length; i++)
    steps.push((starts[i] as number) - (starts[i - 1] as number));
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1] as number;
}
