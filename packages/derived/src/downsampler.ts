// The downsampling kernel: per epoch-aligned bucket, min, max, mean and count of every numeric column.

import { PondError } from "@pond/tinyfs";
import {
  Float64,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  type Vector,
} from "apache-arrow";
import type { ColumnKind, ColumnView, FieldInfo, TableView } from "./arrow-ffi.js";
import { findTimestampColumn, type TimestampHints, toEpochMillis } from "./timestamp-column.js";

/** The name of the bucket-start column in downsampled output. */
export const BUCKET_COLUMN = "timestamp";

export interface DownsamplerOptions {
  /** Only these numeric columns, in this order (default: every numeric column, in file order). */
  columns?: readonly string[] | undefined;
  /** Only the numeric columns whose name this accepts (with `columns` unset). */
  match?: ((name: string) => boolean) | undefined;
  /** Rows before this epoch millisecond are left out. */
  startMs?: number | undefined;
  /** Rows at or after this epoch millisecond are left out. */
  endMs?: number | undefined;
}

const NUMERIC: ReadonlySet<ColumnKind> = new Set<ColumnKind>([
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "float16",
  "float32",
  "float64",
]);

/** Running min, max, sum and count per bucket slot of one column. */
export class ColumnSums {
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  count: Float64Array;

  constructor(capacity: number) {
    this.min = new Float64Array(capacity).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.sum = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
  }

  grow(capacity: number): void {
    this.min = grown(this.min, capacity, Number.POSITIVE_INFINITY);
    this.max = grown(this.max, capacity, Number.NEGATIVE_INFINITY);
    this.sum = grown(this.sum, capacity, 0);
    this.count = grown(this.count, capacity, 0);
  }
}

/** Runs of rows that fall in one bucket slot (see Buckets.assign). */
interface Runs {
  /** First row of each run, and `rows` after the last. */
  start: Int32Array;
  slot: Int32Array;
  count: number;
}

/** The buckets of one resolution: bucket index → slot, and the sums per column. */
export class Buckets {
  readonly slotOf = new Map<number, number>();
  bucketOfSlot = new Float64Array(1024);
  slots = 0;
  readonly sums: ColumnSums[] = [];

  constructor(readonly resolutionMs: number) {}

  /**
   * Splits rows `[0, rows)` into runs of consecutive rows in one bucket:
   * run r covers rows `[runs.start[r], runs.start[r + 1])` and goes to slot
   * `runs.slot[r]`, -1 for rows without a (kept) time. Rows usually arrive in
   * time order, so runs are long and the sums are updated once per run.
   */
  assign(ms: Float64Array, rows: number, runs: Runs): void {
    const res = this.resolutionMs;
    const start = runs.start;
    const slotOfRun = runs.slot;
    let n = 0;
    let lastBucket = Number.NaN;
    let lastSlot = -2;
    for (let i = 0; i < rows; i++) {
      const t = ms[i] as number;
      let slot: number;
      if (Number.isNaN(t)) {
        slot = -1;
      } else {
        // Floor, not truncation: -1 ms belongs to the bucket before the epoch.
        const bucket = Math.floor(t / res);
        if (bucket === lastBucket) continue;
        lastBucket = bucket;
        slot = this.slotOf.get(bucket) ?? this.addSlot(bucket);
      }
      if (slot === lastSlot) continue;
      if (slot === -1) lastBucket = Number.NaN;
      lastSlot = slot;
      start[n] = i;
      slotOfRun[n] = slot;
      n++;
    }
    start[n] = rows;
    runs.count = n;
  }

  sumsFor(column: number): ColumnSums {
    while (this.sums.length <= column) this.sums.push(new ColumnSums(this.bucketOfSlot.length));
    return this.sums[column] as ColumnSums;
  }

  /** The slot of `bucket`, made if missing. */
  slot(bucket: number): number {
    return this.slotOf.get(bucket) ?? this.addSlot(bucket);
  }

  /** Forgets every bucket, keeping the capacity; costs the slots used, not the capacity. */
  reset(): void {
    for (const sums of this.sums) {
      sums.min.fill(Number.POSITIVE_INFINITY, 0, this.slots);
      sums.max.fill(Number.NEGATIVE_INFINITY, 0, this.slots);
      sums.sum.fill(0, 0, this.slots);
      sums.count.fill(0, 0, this.slots);
    }
    this.slotOf.clear();
    this.slots = 0;
  }

  private addSlot(bucket: number): number {
    const slot = this.slots++;
    if (slot === this.bucketOfSlot.length) {
      const capacity = slot * 2;
      this.bucketOfSlot = grown(this.bucketOfSlot, capacity, 0);
      for (const sums of this.sums) sums.grow(capacity);
    }
    this.bucketOfSlot[slot] = bucket;
    this.slotOf.set(bucket, slot);
    return slot;
  }
}

/**
 * Downsamples one or more Arrow tables (a file, or the chunks of a series) to
 * several resolutions in one pass. Buckets are [k × width, (k + 1) × width) in
 * epoch milliseconds; nulls and NaN are ignored; rows need not be sorted.
 */
export class Downsampler {
  /** The sums per resolution, in constructor order; column `c` of each is `columnNames[c]`. */
  readonly buckets: Buckets[];
  readonly columnNames: string[] = [];
  private readonly columnIndex = new Map<string, number>();
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly only: ReadonlySet<string> | undefined;
  private readonly match: ((name: string) => boolean) | undefined;
  private readonly seen = new Set<string>();
  // Columns of the tables added since the last reset, numeric and selected, in the order met.
  private readonly met = new Set<number>();
  private tables = 0;
  private ms = new Float64Array(0);
  private readonly runs: Runs = { start: new Int32Array(1), slot: new Int32Array(0), count: 0 };
  private scratch = new Float64Array(0);

  constructor(resolutionsMs: readonly number[], options: DownsamplerOptions = {}) {
    this.buckets = resolutionsMs.map((r) => new Buckets(r));
    this.startMs = options.startMs ?? Number.NEGATIVE_INFINITY;
    this.endMs = options.endMs ?? Number.POSITIVE_INFINITY;
    this.match = options.match;
    if (options.columns) {
      this.only = new Set(options.columns);
      for (const name of options.columns) this.columnIndexOf(name);
    }
  }

  /** The columns `add` reads from a table with `fields`: the time and the (selected) numeric ones. */
  columnsNeeded(fields: readonly FieldInfo[], hints: TimestampHints, path?: string): string[] {
    const time = findTimestampColumn(fields, hints, path);
    return fields
      .filter(
        (f, i) =>
          i === time.index ||
          (this.only
            ? this.only.has(f.name)
            : NUMERIC.has(f.kind) && (this.match?.(f.name) ?? true)),
      )
      .map((f) => f.name);
  }

  /** Adds every row of `table`. Synchronous: the table's views are only valid until it returns. */
  add(table: TableView, hints: TimestampHints, path?: string): void {
    const time = findTimestampColumn(table.fields, hints, path);
    this.tables++;
    const numeric: Array<{ field: number; column: number; kind: ColumnKind }> = [];
    table.fields.forEach((field, i) => {
      if (i === time.index) return;
      if (this.only && !this.only.has(field.name)) return;
      if (this.match && !this.match(field.name)) return;
      if (!NUMERIC.has(field.kind)) {
        if (this.only || this.columnIndex.has(field.name)) {
          throw new PondError(
            "EINVAL",
            `column "${field.name}" is not numeric (${field.format})`,
            path === undefined ? {} : { path },
          );
        }
        return;
      }
      this.seen.add(field.name);
      const column = this.columnIndexOf(field.name);
      this.met.add(column);
      numeric.push({ field: i, column, kind: field.kind });
    });
    for (const batch of table.batches) {
      if (batch.length === 0) continue;
      this.reserve(batch.length);
      toEpochMillis(
        batch.columns[time.index] as ColumnView,
        time,
        this.ms,
        this.startMs,
        this.endMs,
      );
      for (const buckets of this.buckets) {
        buckets.assign(this.ms, batch.length, this.runs);
        for (const { field, column, kind } of numeric) {
          this.accumulate(
            batch.columns[field] as ColumnView,
            kind,
            buckets.sumsFor(column),
            batch.length,
          );
        }
      }
    }
  }

  /** Forgets every bucket of every resolution: the next table starts from nothing. */
  reset(): void {
    for (const buckets of this.buckets) buckets.reset();
    this.met.clear();
  }

  /** The columns (indices into `columnNames`) of the tables added since the last reset. */
  columnsMet(): number[] {
    return [...this.met];
  }

  /** One Arrow table per resolution, in constructor order; EINVAL for a named column never seen. */
  results(): Table[] {
    const missing = this.tables > 0 ? this.columnNames.filter((c) => !this.seen.has(c)) : [];
    if (missing.length > 0) {
      throw new PondError(
        "EINVAL",
        `no numeric column named ${missing.map((c) => `"${c}"`).join(", ")}`,
      );
    }
    return this.buckets.map((b) => this.toTable(b));
  }

  private columnIndexOf(name: string): number {
    let index = this.columnIndex.get(name);
    if (index === undefined) {
      index = this.columnNames.length;
      this.columnNames.push(name);
      this.columnIndex.set(name, index);
    }
    return index;
  }

  private reserve(rows: number): void {
    if (this.ms.length >= rows) return;
    this.ms = new Float64Array(rows);
    this.runs.start = new Int32Array(rows + 1);
    this.runs.slot = new Int32Array(rows);
  }

  private accumulate(column: ColumnView, kind: ColumnKind, sums: ColumnSums, rows: number): void {
    const { offset, validity } = column;
    if (kind === "float64") {
      accumulateFloat64(column.values as Float64Array, offset, validity, this.runs, sums);
      return;
    }
    // Other types are widened to doubles once per batch, so one loop serves them all.
    if (this.scratch.length < rows) this.scratch = new Float64Array(rows);
    widen(column, kind, this.scratch, rows);
    accumulateWidened(this.scratch, offset, validity, this.runs, sums);
  }

  private toTable(buckets: Buckets): Table {
    const n = buckets.slots;
    const order = sortedSlots(buckets.bucketOfSlot, n);
    // int64 columns are written as (low, high) words: no BigInt per bucket.
    const starts = new BigInt64Array(n);
    const startWords = new Int32Array(starts.buffer);
    for (let i = 0; i < n; i++) {
      const bucket = buckets.bucketOfSlot[order[i] as number] as number;
      setInt64(startWords, i, bucket * buckets.resolutionMs);
    }
    const columns: Record<string, Vector> = {
      [BUCKET_COLUMN]: makeVector(
        makeData({ type: new TimestampMillisecond("UTC"), length: n, nullCount: 0, data: starts }),
      ),
    };
    this.columnNames.forEach((name, c) => {
      const sums = buckets.sumsFor(c);
      const min = new Float64Array(n);
      const max = new Float64Array(n);
      const avg = new Float64Array(n);
      const count = new BigInt64Array(n);
      const countWords = new Int32Array(count.buffer);
      const valid = new Uint8Array((n + 7) >>> 3);
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const s = order[i] as number;
        const k = sums.count[s] as number;
        if (k === 0) {
          nulls++;
          continue;
        }
        valid[i >>> 3] = (valid[i >>> 3] as number) | (1 << (i & 7));
        min[i] = sums.min[s] as number;
        max[i] = sums.max[s] as number;
        avg[i] = (sums.sum[s] as number) / k;
        setInt64(countWords, i, k);
      }
      const stat = (data: Float64Array) =>
        makeVector(
          makeData({
            type: new Float64(),
            length: n,
            nullCount: nulls,
            ...(nulls > 0 && { nullBitmap: valid }),
            data,
          }),
        );
      columns[`${name}.min`] = stat(min);
      columns[`${name}.max`] = stat(max);
      columns[`${name}.avg`] = stat(avg);
      columns[`${name}.count`] = makeVector(
        makeData({ type: new Int64(), length: n, nullCount: 0, data: count }),
      );
    });
    return new Table(columns);
  }
}

/** Slot numbers in bucket order (slots are made in arrival order, usually already sorted). */
export function sortedSlots(bucketOfSlot: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  let sorted = true;
  for (let s = 0; s < n; s++) {
    order[s] = s;
    if (s > 0 && (bucketOfSlot[s] as number) < (bucketOfSlot[s - 1] as number)) sorted = false;
  }
  if (!sorted) order.sort((a, b) => (bucketOfSlot[a] as number) - (bucketOfSlot[b] as number));
  return order;
}

/** Stores the integer `value` (|value| < 2^53) as int64 number `i` of little-endian words. */
export function setInt64(words: Int32Array, i: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  words[2 * i] = value - hi * 4294967296;
  words[2 * i + 1] = hi;
}

/**
 * The hot loop: per run, the min, max, sum and count of the valid, non-NaN
 * values in locals, then one update of the run's slot. Row i's value is
 * `values[offset + i]`, its validity bit `offset + i`.
 */
function accumulateFloat64(
  values: Float64Array,
  offset: number,
  validity: Uint8Array | null,
  runs: Runs,
  sums: ColumnSums,
): void {
  const { min, max, sum, count } = sums;
  const starts = runs.start;
  const slots = runs.slot;
  for (let r = 0; r < runs.count; r++) {
    const s = slots[r] as number;
    if (s < 0) continue;
    const end = (starts[r + 1] as number) + offset;
    let n = 0;
    let total = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    if (validity === null) {
      for (let i = (starts[r] as number) + offset; i < end; i++) {
        const v = values[i] as number;
        if (Number.isNaN(v)) continue; // NaN counts as null.
        n++;
        total += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    } else {
      for (let i = (starts[r] as number) + offset; i < end; i++) {
        if (((validity[i >>> 3] as number) & (1 << (i & 7))) === 0) continue;
        const v = values[i] as number;
        if (Number.isNaN(v)) continue;
        n++;
        total += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (n === 0) continue;
    count[s] = (count[s] as number) + n;
    sum[s] = (sum[s] as number) + total;
    if (lo < (min[s] as number)) min[s] = lo;
    if (hi > (max[s] as number)) max[s] = hi;
  }
}

/** accumulateFloat64 over a widened copy: value i at `values[i]`, validity bit `offset + i`. */
function accumulateWidened(
  values: Float64Array,
  offset: number,
  validity: Uint8Array | null,
  runs: Runs,
  sums: ColumnSums,
): void {
  const { min, max, sum, count } = sums;
  const starts = runs.start;
  const slots = runs.slot;
  for (let r = 0; r < runs.count; r++) {
    const s = slots[r] as number;
    if (s < 0) continue;
    const end = starts[r + 1] as number;
    let n = 0;
    let total = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = starts[r] as number; i < end; i++) {
      if (validity !== null) {
        const bit = offset + i;
        if (((validity[bit >>> 3] as number) & (1 << (bit & 7))) === 0) continue;
      }
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      n++;
      total += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (n === 0) continue;
    count[s] = (count[s] as number) + n;
    sum[s] = (sum[s] as number) + total;
    if (lo < (min[s] as number)) min[s] = lo;
    if (hi > (max[s] as number)) max[s] = hi;
  }
}

function widen(column: ColumnView, kind: ColumnKind, out: Float64Array, rows: number): void {
  const offset = column.offset;
  if (kind === "float16") {
    const halves = column.values as Uint16Array;
    for (let i = 0; i < rows; i++) out[i] = halfToNumber(halves[offset + i] as number);
    return;
  }
  if (kind === "int64" || kind === "uint64") {
    // Nearest double of each 64-bit integer: hi × 2^32 is exact, the sum rounds once.
    const words = column.values as Int32Array;
    const signed = kind === "int64";
    for (let i = 0, w = 2 * offset; i < rows; i++, w += 2) {
      const hi = words[w + 1] as number;
      out[i] = (signed ? hi : hi >>> 0) * 4294967296 + ((words[w] as number) >>> 0);
    }
    return;
  }
  const values = column.values as ArrayLike<number>;
  for (let i = 0; i < rows; i++) out[i] = values[offset + i] as number;
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function grown(array: Float64Array, capacity: number, fill: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}
