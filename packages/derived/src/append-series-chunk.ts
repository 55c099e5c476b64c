// Writing a timeseries: each Parquet chunk is a new version of a `file:series`.

import { type FS, type NodeMetadata, PondError, type WD } from "@pond/tinyfs";
import type { ColumnView, TimeUnit } from "./arrow-ffi.js";
import { visitParquet } from "./parquet-io.js";
import {
  findTimestampColumn,
  parseTimeUnit,
  type TimestampHints,
  timeBounds,
} from "./timestamp-column.js";

/** The attrs keys a series chunk records about its time column. */
export const TIMESTAMP_COLUMN_ATTR = "timestampColumn";
export const TIMESTAMP_UNIT_ATTR = "timestampUnit";

export interface AppendSeriesChunkOptions {
  /** The time column (default: the series' recorded one, else found as downsampling finds it). */
  timestampColumn?: string;
  /** The unit of an integer epoch time column; Arrow timestamps carry their own. */
  timestampUnit?: TimeUnit;
  /** More attrs to record with the chunk. */
  attrs?: Record<string, string>;
}

/**
 * Appends `parquet` as a new version of the `file:series` at `path`, creating
 * it if missing. The version records the chunk's time range in
 * `minEventTime`/`maxEventTime` (in the time column's unit; beyond 2^53 rounded
 * outwards, so the range always contains the chunk) and the time column's name
 * and unit in `attrs.timestampColumn` / `attrs.timestampUnit`; readers use
 * them to skip chunks outside a requested range. Without options, the time
 * column recorded by the series' newest chunk is used again. Given a WD, the
 * write joins its transaction, if one is open. EINVAL for a path that is not
 * a series, bytes that are not Parquet, or a chunk without a time column;
 * CORRUPT for undecodable Parquet.
 */
export async function appendSeriesChunk(
  target: FS | WD,
  path: string,
  parquet: Uint8Array,
  options: AppendSeriesChunkOptions = {},
): Promise<NodeMetadata> {
  // Duck-typed rather than instanceof: another copy of @pond/tinyfs may have made the FS.
  const wd = isFs(target) ? target.root() : target;
  const existing = await wd.stat(path).catch((error: unknown) => {
    if (PondError.is(error, "ENOENT")) return undefined;
    throw error;
  });
  if (existing && existing.entryType !== "file:series") {
    throw new PondError("EINVAL", `not a series (${existing.entryType})`, { path });
  }
  const recordedUnit = existing?.attrs?.[TIMESTAMP_UNIT_ATTR];
  const hints: TimestampHints = {
    column: options.timestampColumn ?? existing?.attrs?.[TIMESTAMP_COLUMN_ATTR],
    unit:
      options.timestampUnit !== undefined
        ? parseTimeUnit(options.timestampUnit)
        : recordedUnit !== undefined
          ? parseTimeUnit(recordedUnit, `attrs.${TIMESTAMP_UNIT_ATTR}`)
          : undefined,
  };
  const { time, bounds } = await visitParquet(
    parquet,
    (table) => {
      const time = findTimestampColumn(table.fields, hints, path);
      let bounds: { min: bigint; max: bigint } | undefined;
      for (const batch of table.batches) {
        const b = timeBounds(batch.columns[time.index] as ColumnView, time);
        if (!b) continue;
        if (!bounds) bounds = b;
        if (b.min < bounds.min) bounds.min = b.min;
        if (b.max > bounds.max) bounds.max = b.max;
      }
      return { time, bounds };
    },
    path,
    (fields) => [findTimestampColumn(fields, hints, path).name],
  );
  return wd.writeFile(path, parquet, {
    entryType: "file:series",
    attrs: {
      ...options.attrs,
      [TIMESTAMP_COLUMN_ATTR]: time.name,
      [TIMESTAMP_UNIT_ATTR]: time.unit,
    },
    ...(bounds && { minEventTime: roundDown(bounds.min), maxEventTime: roundUp(bounds.max) }),
  });
}

function isFs(target: FS | WD): target is FS {
  return typeof (target as Partial<FS>).transaction === "function";
}

const bits = new BigInt64Array(1);
const float = new Float64Array(bits.buffer);

/** The largest double ≤ x. */
function roundDown(x: bigint): number {
  const n = Number(x);
  return BigInt(n) > x ? step(n, -1) : n;
}

/** The smallest double ≥ x. */
function roundUp(x: bigint): number {
  const n = Number(x);
  return BigInt(n) < x ? step(n, 1) : n;
}

// The neighbouring double of a non-zero n, towards +∞ (direction 1) or −∞ (−1).
function step(n: number, direction: 1 | -1): number {
  float[0] = n;
  bits[0] = (bits[0] as bigint) + (n > 0 === direction > 0 ? 1n : -1n);
  return float[0] as number;
}
