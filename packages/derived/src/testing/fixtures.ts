// Test data: seeded random timeseries tables, written as Parquet.

import {
  type DataType,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { TimeUnit } from "../arrow-ffi.js";
import { writeParquet } from "../parquet-io.js";

/** A small, seeded PRNG (mulberry32): tests must be reproducible. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNIT_PER_MS: Record<TimeUnit, bigint> = { s: 0n, ms: 1n, us: 1_000n, ns: 1_000_000n };

export function timestampType(unit: TimeUnit, timezone: string | null = "UTC"): DataType {
  switch (unit) {
    case "s":
      return new TimestampSecond(timezone);
    case "ms":
      return new TimestampMillisecond(timezone);
    case "us":
      return new TimestampMicrosecond(timezone);
    case "ns":
      return new TimestampNanosecond(timezone);
  }
}

/** A column with nulls where `values[i]` is null. */
export function int64Vector(type: DataType, values: Array<bigint | null>): Vector {
  const data = new BigInt64Array(values.length);
  const { bitmap, nulls } = validity(values);
  values.forEach((v, i) => {
    if (v !== null) data[i] = v;
  });
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount: nulls,
      ...(nulls > 0 && { nullBitmap: bitmap }),
      data,
    } as never),
  );
}

export function numberVector(
  type: Float64 | Float32 | Int32,
  values: Array<number | null>,
): Vector {
  const Ctor =
    type instanceof Float64 ? Float64Array : type instanceof Float32 ? Float32Array : Int32Array;
  const data = new Ctor(values.length);
  const { bitmap, nulls } = validity(values);
  values.forEach((v, i) => {
    if (v !== null) data[i] = v;
  });
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount: nulls,
      ...(nulls > 0 && { nullBitmap: bitmap }),
      data,
    } as never),
  );
}

function validity(values: unknown[]): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((values.length + 7) >>> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
  });
  return { bitmap, nulls };
}

export interface RandomSeriesOptions {
  rows: number;
  unit: TimeUnit;
  seed: number;
  /** Epoch ms around which times are drawn (default: the epoch itself, so half are pre-1970). */
  centerMs?: number;
  /** Half-width of the time span, in ms (default 3 days). */
  spanMs?: number;
  timezone?: string | null;
}

/**
 * Random rows: times unsorted with duplicates, gaps, sub-millisecond parts and
 * a few nulls; a float64 column with nulls, NaN and negatives; float32, int32
 * and int64 columns; a string column that downsampling must ignore.
 */
export function randomSeries(options: RandomSeriesOptions): Table {
  const { rows, unit, seed } = options;
  const next = random(seed);
  const center = BigInt(options.centerMs ?? 0);
  const span = options.spanMs ?? 3 * 86_400_000;
  const times: Array<bigint | null> = [];
  for (let i = 0; i < rows; i++) {
    const r = next();
    if (r < 0.02) {
      times.push(null);
      continue;
    }
    if (r < 0.12 && times.length > 0) {
      // A duplicate of an earlier time.
      times.push(times[Math.floor(next() * times.length)] ?? null);
      continue;
    }
    // Clustered times leave gaps (empty buckets) between clusters.
    const cluster = Math.floor(next() * 8) - 4;
    const ms = center + BigInt(Math.round(cluster * (span / 4) + (next() - 0.5) * (span / 40)));
    if (unit === "s") {
      times.push(ms / 1000n - (ms < 0n && ms % 1000n !== 0n ? 1n : 0n));
    } else {
      const sub =
        UNIT_PER_MS[unit] > 1n ? BigInt(Math.floor(next() * Number(UNIT_PER_MS[unit]))) : 0n;
      times.push(ms * UNIT_PER_MS[unit] + sub);
    }
  }
  const f64 = times.map(() => {
    const r = next();
    if (r < 0.1) return null;
    if (r < 0.15) return Number.NaN;
    return (next() - 0.5) * 1e6;
  });
  const f32 = times.map(() => (next() < 0.1 ? null : Math.fround((next() - 0.3) * 1000)));
  const i32 = times.map(() => (next() < 0.1 ? null : Math.floor((next() - 0.5) * 2e9)));
  const i64 = times.map(() => (next() < 0.1 ? null : BigInt(Math.floor((next() - 0.5) * 2 ** 52))));
  // A sparse column: most buckets hold only nulls for it.
  const sparse = times.map(() => (next() < 0.97 ? null : next() * 10));
  return new Table({
    timestamp: int64Vector(
      timestampType(unit, options.timezone === undefined ? "UTC" : options.timezone),
      times,
    ),
    value: numberVector(new Float64(), f64),
    f32: numberVector(new Float32(), f32),
    i32: numberVector(new Int32(), i32),
    i64: int64Vector(new Int64(), i64),
    sparse: numberVector(new Float64(), sparse),
    label: vectorFromArray(
      times.map((_, i) => `row ${i}`),
      new Utf8(),
    ),
  });
}

/** A table as Snappy Parquet. */
export function toParquet(table: Table): Promise<Uint8Array> {
  return writeParquet(table);
}

/**
 * Random rows with a column of every integer width and sign (and both float
 * widths), a tenth of each null, times unsorted and in microseconds.
 */
export function everyNumericType(rows: number, seed: number): Table {
  const next = random(seed);
  const nulls = () => {
    const bitmap = new Uint8Array((rows + 7) >>> 3);
    let count = 0;
    for (let i = 0; i < rows; i++) {
      if (next() < 0.1) count++;
      else bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
    }
    return { bitmap, count };
  };
  const column = (type: DataType, data: ArrayLike<number | bigint>) => {
    const { bitmap, count } = nulls();
    return makeVector(
      makeData({ type, length: rows, nullCount: count, nullBitmap: bitmap, data } as never),
    );
  };
  const ints = (lo: number, hi: number) =>
    Array.from({ length: rows }, () => lo + Math.floor(next() * (hi - lo + 1)));
  const times = Array.from({ length: rows }, () =>
    BigInt(Math.floor((next() - 0.5) * 4 * 86_400_000_000)),
  );
  return new Table({
    timestamp: int64Vector(timestampType("us"), times),
    i8: column(new Int8(), Int8Array.from(ints(-128, 127))),
    u8: column(new Uint8(), Uint8Array.from(ints(0, 255))),
    i16: column(new Int16(), Int16Array.from(ints(-32768, 32767))),
    u16: column(new Uint16(), Uint16Array.from(ints(0, 65535))),
    i32: column(new Int32(), Int32Array.from(ints(-(2 ** 31), 2 ** 31 - 1))),
    u32: column(new Uint32(), Uint32Array.from(ints(0, 2 ** 32 - 1))),
    i64: column(
      new Int64(),
      BigInt64Array.from(ints(-(2 ** 30), 2 ** 30), (v) => BigInt(v) * 4_000_000n),
    ),
    u64: column(
      new Uint64(),
      BigUint64Array.from(ints(0, 2 ** 30), (v) => BigInt(v) * 8_000_000n),
    ),
    f32: column(
      new Float32(),
      Float32Array.from(ints(-1e6, 1e6), (v) => v / 7),
    ),
    f64: column(
      new Float64(),
      Float64Array.from(ints(-1e9, 1e9), (v) => v / 3),
    ),
  });
}
