// What a site's series page reads: the series' columns and time span, and per resolution
// the Parquet tiles its buckets are split into. Written by pond site, read in the page.

/** data/<slug>/manifest.json */
export interface SeriesManifest {
  /** The series' pond path. */
  path: string;
  /** The numeric columns, one panel each. */
  columns: string[];
  /** Where the data starts and ends, epoch ms. */
  extent: [number, number];
  /** Coarsest first. */
  levels: Level[];
}

/** One resolution of a series, split into tiles of at most {@link TILE_BUCKETS} buckets. */
export interface Level {
  resolution: string;
  resolutionMs: number;
  /** The time span of one tile: tiles start at whole multiples of it. */
  tileMs: number;
  tiles: Tile[];
}

export interface Tile {
  /** The tile's start, epoch ms. */
  start: number;
  /** The buckets it holds (empty buckets have no row). */
  rows: number;
  /** Relative to the manifest. */
  file: string;
}

/** The buckets of one tile. */
export const TILE_BUCKETS = 1024;

/** The file at a site's root that marks it as made by pond site. */
export const SITE_MARKER = "pond-site.json";

/** The level whose resolution is nearest (on a log scale) to one bucket per pixel column. */
export function levelFor(levels: readonly Level[], spanMs: number, pixels: number): Level {
  const target = spanMs / Math.max(pixels, 1);
  let best = levels[0] as Level;
  for (const level of levels) {
    if (
      Math.abs(Math.log(level.resolutionMs / target)) <
      Math.abs(Math.log(best.resolutionMs / target))
    ) {
      best = level;
    }
  }
  return best;
}

/** The tiles of `level` that hold buckets in `[start, end)`. */
export function tilesIn(level: Level, start: number, end: number): Tile[] {
  return level.tiles.filter((t) => t.start < end && t.start + level.tileMs > start);
}
