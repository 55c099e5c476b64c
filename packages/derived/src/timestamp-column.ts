// Which column holds a row's time, and exact conversion of its values to epoch milliseconds.

import { PondError } from "@pond/tinyfs";
import type { ColumnView, FieldInfo, TimeUnit } from "./arrow-ffi.js";

/** Column names taken for the time column when no column is named (compared case-insensitively). */
export const TIMESTAMP_COLUMN_NAMES: readonly string[] = [
  "timestamp",
  "time",
  "ts",
  "event_time",
  "datetime",
];

export const TIME_UNITS: readonly TimeUnit[] = ["s", "ms", "us", "ns"];

/** What the caller or the source node says about the time column. */
export interface TimestampHints {
  /** The column's name. */
  column?: string | undefined;
  /** The unit of an integer epoch column (Arrow timestamps carry their own). */
  unit?: TimeUnit | undefined;
}

export interface TimestampColumn {
  /** Index in the table's fields. */
  index: number;
  name: string;
  unit: TimeUnit;
  /** The column's storage: a 64-bit timestamp or integer, or a 32-bit integer. */
  storage: "int64" | "int32";
}

/** EINVAL unless `unit` is one of s, ms, us, ns. */
export function parseTimeUnit(unit: unknown, what = "timestamp unit"): TimeUnit {
  if (typeof unit === "string" && (TIME_UNITS as readonly string[]).includes(unit)) {
    return unit as TimeUnit;
  }
  throw new PondError("EINVAL", `invalid ${what} ${JSON.stringify(unit)} (use s, ms, us or ns)`);
}

/**
 * The time column of a table: the named one (hints.column); else an Arrow
 * timestamp column with a conventional name, else the first Arrow timestamp
 * column; else an int32/int64 column with a conventional name, taken as an epoch
 * only when hints.unit gives its unit (guessing a unit from magnitudes would be
 * silently wrong for some data). EINVAL when there is none.
 */
export function findTimestampColumn(
  fields: readonly FieldInfo[],
  hints: TimestampHints,
  path?: string,
): TimestampColumn {
  const where = path === undefined ? {} : { path };
  if (hints.column !== undefined) {
    const index = fields.findIndex((f) => f.name === hints.column);
    if (index < 0) {
      throw new PondError("EINVAL", `no column named "${hints.column}" for the time`, where);
    }
    return timeColumnAt(fields, index, hints.unit, where);
  }
  const conventional = (f: FieldInfo) => TIMESTAMP_COLUMN_NAMES.indexOf(f.name.toLowerCase());
  const byName = (candidates: number[]) =>
    candidates
      .filter((i) => conventional(fields[i] as FieldInfo) >= 0)
      .sort((a, b) => conventional(fields[a] as FieldInfo) - conventional(fields[b] as FieldInfo));
  const timestamps = fields.flatMap((f, i) => (f.kind === "timestamp" ? [i] : []));
  const chosen = byName(timestamps)[0] ?? timestamps[0];
  if (chosen !== undefined) return timeColumnAt(fields, chosen, hints.unit, where);
  const integers = fields.flatMap((f, i) => (f.kind === "int64" || f.kind === "int32" ? [i] : []));
  const named = byName(integers)[0];
  if (named !== undefined) return timeColumnAt(fields, named, hints.unit, where);
  throw new PondError(
    "EINVAL",
    `no time column: name one, or use an Arrow timestamp column or one named ${TIMESTAMP_COLUMN_NAMES.join(", ")}`,
    where,
  );
}

function timeColumnAt(
  fields: readonly FieldInfo[],
  index: number,
  unit: TimeUnit | undefined,
  where: { path?: string },
): TimestampColumn {
  const field = fields[index] as FieldInfo;
  if (field.kind === "timestamp") {
    return { index, name: field.name, unit: field.unit as TimeUnit, storage: "int64" };
  }
  if (field.kind === "int64" || field.kind === "int32") {
    if (unit === undefined) {
      throw new PondError(
        "EINVAL",
        `time column "${field.name}" is an integer: give its unit (timestampUnit: s, ms, us or ns)`,
        where,
      );
    }
    return { index, name: field.name, unit, storage: field.kind };
  }
  throw new PondError(
    "EINVAL",
    `time column "${field.name}" has type ${field.format}, not a timestamp or integer epoch`,
    where,
  );
}

// 2^32 = HI_MS[unit] × UNITS_PER_MS[unit] + HI_REM[unit]: splitting a 64-bit value
// as hi × 2^32 + lo lets floor(value / unitsPerMs) be computed exactly in doubles.
const UNITS_PER_MS: Record<TimeUnit, number> = { s: 0.001, ms: 1, us: 1_000, ns: 1_000_000 };
const HI_MS: Record<TimeUnit, number> = { s: 0, ms: 4294967296, us: 4294967, ns: 4294 };
const HI_REM: Record<TimeUnit, number> = { s: 0, ms: 0, us: 296, ns: 967296 };

/**
 * Fills `out[0 … column.length)` with each row's time as whole epoch
 * milliseconds, floored (so 1969-12-31T23:59:59.9995 is -1), or NaN for a null
 * time and a time outside `[startMs, endMs)`. Exact for every int64 value whose
 * millisecond count is below 2^53 in magnitude (about ±285,000 years), without
 * a BigInt per row.
 */
export function toEpochMillis(
  column: ColumnView,
  time: TimestampColumn,
  out: Float64Array,
  startMs = Number.NEGATIVE_INFINITY,
  endMs = Number.POSITIVE_INFINITY,
): void {
  const { length, offset, validity } = column;
  const values = column.values as Int32Array;
  const unit = time.unit;
  if (time.storage === "int32") {
    const per = UNITS_PER_MS[unit];
    for (let i = 0; i < length; i++) {
      const v = values[offset + i] as number;
      out[i] = per < 1 ? v * 1000 : Math.floor(v / per);
    }
  } else if (unit === "ms" || unit === "s") {
    const scale = unit === "s" ? 1000 : 1;
    for (let i = 0, w = 2 * offset; i < length; i++, w += 2) {
      out[i] = ((values[w + 1] as number) * 4294967296 + ((values[w] as number) >>> 0)) * scale;
    }
  } else {
    const per = UNITS_PER_MS[unit];
    const hiMs = HI_MS[unit];
    const hiRem = HI_REM[unit];
    for (let i = 0, w = 2 * offset; i < length; i++, w += 2) {
      const hi = values[w + 1] as number;
      // |r| < 2^53, so the quotient below is off by at most one and the check fixes it.
      const r = hi * hiRem + ((values[w] as number) >>> 0);
      let q = Math.floor(r / per);
      const rest = r - q * per;
      if (rest < 0) q--;
      else if (rest >= per) q++;
      out[i] = hi * hiMs + q;
    }
  }
  const filtered = startMs !== Number.NEGATIVE_INFINITY || endMs !== Number.POSITIVE_INFINITY;
  if (validity === null && !filtered) return;
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    if (validity !== null && ((validity[bit >>> 3] as number) & (1 << (bit & 7))) === 0) {
      out[i] = Number.NaN;
    } else if (filtered) {
      const ms = out[i] as number;
      if (ms < startMs || ms >= endMs) out[i] = Number.NaN;
    }
  }
}

/**
 * The smallest and largest non-null time in `column`, exact, in the column's
 * own unit; undefined when every time is null.
 */
export function timeBounds(
  column: ColumnView,
  time: TimestampColumn,
): { min: bigint; max: bigint } | undefined {
  const { length, offset, validity } = column;
  const values = column.values as Int32Array;
  const valid = (i: number) => {
    if (validity === null) return true;
    const bit = offset + i;
    return ((validity[bit >>> 3] as number) & (1 << (bit & 7))) !== 0;
  };
  if (time.storage === "int32") {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < length; i++) {
      if (!valid(i)) continue;
      const v = values[offset + i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return min > max ? undefined : { min: BigInt(min), max: BigInt(max) };
  }
  // Compare (signed high word, unsigned low word) pairs: a 64-bit order without BigInt.
  let found = false;
  let minHi = 0;
  let minLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  for (let i = 0, w = 2 * offset; i < length; i++, w += 2) {
    if (!valid(i)) continue;
    const hi = values[w + 1] as number;
    const lo = (values[w] as number) >>> 0;
    if (!found) {
      found = true;
      minHi = maxHi = hi;
      minLo = maxLo = lo;
      continue;
    }
    if (hi < minHi || (hi === minHi && lo < minLo)) {
      minHi = hi;
      minLo = lo;
    }
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxHi = hi;
      maxLo = lo;
    }
  }
  if (!found) return undefined;
  return {
    min: (BigInt(minHi) << 32n) | BigInt(minLo),
    max: (BigInt(maxHi) << 32n) | BigInt(maxLo),
  };
}

/** Units of `unit` per millisecond (0.001 for seconds). */
export function unitsPerMillisecond(unit: TimeUnit): number {
  return UNITS_PER_MS[unit];
}
