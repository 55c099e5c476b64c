// The bucket widths charts use: round durations, and the one that fits a chart's width.

import { parseDuration } from "@pond/tinyfs";

/** Round bucket widths, finest first. */
export const LADDER: readonly string[] = [
  "1s",
  "2s",
  "5s",
  "10s",
  "15s",
  "30s",
  "1m",
  "2m",
  "5m",
  "10m",
  "15m",
  "30m",
  "1h",
  "2h",
  "3h",
  "6h",
  "12h",
  "1d",
  "2d",
  "1w",
  "2w",
  "4w",
];

/** A resolution by name and width. */
export interface Rung {
  resolution: string;
  ms: number;
}

const RUNGS: readonly Rung[] = LADDER.map((resolution) => ({
  resolution,
  ms: parseDuration(resolution, "resolution"),
}));

/**
 * The round resolution giving about one bucket per pixel column when `spanMs`
 * is drawn `pixels` wide: the rung nearest to span / pixels on a log scale,
 * never finer than `finestMs`.
 */
export function fittingResolution(spanMs: number, pixels: number, finestMs = 0): Rung {
  const target = Math.max(spanMs / Math.max(pixels, 1), finestMs);
  let best = RUNGS[0] as Rung;
  for (const rung of RUNGS) {
    if (rung.ms < finestMs) continue;
    if (
      Math.abs(Math.log(rung.ms / target)) < Math.abs(Math.log(best.ms / target)) ||
      best.ms < finestMs
    ) {
      best = rung;
    }
  }
  return best;
}

/** The coarsest rung no wider than `ms` (the finest rung if none is). */
export function rungAtMost(ms: number): Rung {
  let found = RUNGS[0] as Rung;
  for (const rung of RUNGS) if (rung.ms <= ms) found = rung;
  return found;
}
