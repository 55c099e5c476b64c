// The merged partial aggregates of a rollup: per bucket of one resolution, the row count and
// per column the count, sum, min and max of the values, folded chunk by chunk in version order.

import {
  Float64,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  type Vector,
} from "apache-arrow";
import { BUCKET_COLUMN, type Buckets, setInt64, sortedSlots } from "./downsampler.js";

/** The aggregates a rollup can ask for per column. */
export const REDUCE_OPS = ["avg", "min", "max", "sum", "count"] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Aggregations of the columns whose names match a glob. */
export interface ReduceAggregation {
  /** A glob over column names: `*` any run of characters, `?` one; `*` is every numeric column. */
  columns: string;
  ops: readonly ReduceOp[];
}

/**
 * The identity of a chunk as a partial depends on it: its version and content hash, and the
 * attrs that locate its time column. Versions of a pond node never change, so a chunk list
 * that starts with a state's list is the state's chunks and more.
 */
export function chunkId(chunk: {
  version: number;
  sha256: string;
  attrs?: Record<string, string> | undefined;
}): string {
  return `${chunk.version}:${chunk.sha256}:${chunk.attrs?.timestampColumn ?? ""}:${chunk.attrs?.timestampUnit ?? ""}`;
}

/**
 * One resolution's merged aggregates over the chunks in `covered`. Folding a chunk adds its
 * per-bucket partials to the buckets it touches, so an update costs that chunk's buckets,
 * and since every state is folded in version order, a state extended chunk by chunk holds
 * exactly the numbers a state built from nothing over the same chunks holds.
 */
export class RollupState {
  /** Chunk ids folded, in version order. */
  readonly covered: string[] = [];
  /** Aggregated columns in the order they were first met. */
  readonly columns: string[] = [];
  private readonly columnIndex = new Map<string, number>();
  /** The newest event time folded (epoch ms), for sealing. */
  newestMs = Number.NEGATIVE_INFINITY;
  /** Buckets below this index were sealed when the state was last stored. */
  storedBelow = Number.NEGATIVE_INFINITY;
  /** Buckets below `storedBelow` folded into since then: their stored copies are stale. */
  readonly stale = new Set<number>();
  /** What the store last wrote for this state (its own record). */
  stored: unknown;

  constructor(readonly buckets: Buckets) {}

  get resolutionMs(): number {
    return this.buckets.resolutionMs;
  }

  /** Whether this state's chunks are the first chunks of `ids`. */
  isPrefixOf(ids: readonly string[]): boolean {
    if (this.covered.length > ids.length) return false;
    // Newest first: a changed chunk list almost always differs at its end.
    for (let i = this.covered.length - 1; i >= 0; i--) if (this.covered[i] !== ids[i]) return false;
    return true;
  }

  column(name: string): number {
    let index = this.columnIndex.get(name);
    if (index === undefined) {
      index = this.columns.length;
      this.columns.push(name);
      this.columnIndex.set(name, index);
      this.buckets.sumsFor(index);
    }
    return index;
  }

  /**
   * Adds one chunk's partials to the merged buckets: `local`'s column c is `names[c]`, and
   * `met` lists the columns the chunk has (rows or not: a column counts from the first chunk
   * that has it, whichever way the chunks were split into calls). `newestMs` is the chunk's
   * newest event time when known.
   */
  fold(
    local: Buckets,
    names: readonly string[],
    met: readonly number[],
    id: string,
    newestMs?: number,
  ): void {
    const merged = this.buckets;
    const targets = new Int32Array(local.slots);
    let newestBucket = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < local.slots; s++) {
      const bucket = local.bucketOfSlot[s] as number;
      if (bucket > newestBucket) newestBucket = bucket;
      if (bucket < this.storedBelow) this.stale.add(bucket);
      targets[s] = merged.slot(bucket);
    }
    for (const c of met) {
      const to = merged.sumsFor(this.column(names[c] as string));
      if (local.sums.length <= c) continue;
      const from = local.sumsFor(c);
      for (let s = 0; s < local.slots; s++) {
        const k = from.count[s] as number;
        if (k === 0) continue;
        const t = targets[s] as number;
        to.count[t] = (to.count[t] as number) + k;
        to.sum[t] = (to.sum[t] as number) + (from.sum[s] as number);
        if ((from.min[s] as number) < (to.min[t] as number)) to.min[t] = from.min[s] as number;
        if ((from.max[s] as number) > (to.max[t] as number)) to.max[t] = from.max[s] as number;
      }
    }
    this.covered.push(id);
    const newest = newestMs ?? (newestBucket + 1) * this.resolutionMs - 1;
    if (local.slots > 0 && newest > this.newestMs) this.newestMs = newest;
  }

  /** Bytes this state holds, roughly: what a memo counts against its budget. */
  bytes(): number {
    const capacity = this.buckets.bucketOfSlot.length;
    return (
      capacity * (8 + 32 * this.columns.length) +
      this.buckets.slots * 48 +
      this.covered.length * 100
    );
  }

  /**
   * The rollup as an Arrow table sorted by bucket: `timestamp` (bucket start, ms, UTC), then
   * for each aggregation in order, each column it matches (in `columns` order, time column
   * excluded) and each op: `<column>.<op>`, a double (`count`: int64), null where the bucket
   * has no value (sum too, as in SQL). A pair asked for twice is one column; a glob that
   * matches no column (yet: a series may gain columns) adds none.
   */
  table(aggregations: readonly ReduceAggregation[]): Table {
    const { buckets } = this;
    const n = buckets.slots;
    const order = sortedSlots(buckets.bucketOfSlot, n);
    const starts = new BigInt64Array(n);
    const startWords = new Int32Array(starts.buffer);
    for (let i = 0; i < n; i++) {
      setInt64(
        startWords,
        i,
        (buckets.bucketOfSlot[order[i] as number] as number) * this.resolutionMs,
      );
    }
    const columns: Record<string, Vector> = {
      [BUCKET_COLUMN]: makeVector(
        makeData({ type: new TimestampMillisecond("UTC"), length: n, nullCount: 0, data: starts }),
      ),
    };
    for (const { columns: pattern, ops } of aggregations) {
      const matches = globMatcher(pattern);
      for (const [c, name] of this.columns.entries()) {
        if (!matches(name)) continue;
        for (const op of ops) {
          const out = `${name}.${op}`;
          if (out in columns) continue;
          columns[out] = opVector(buckets, c, op, order);
        }
      }
    }
    return new Table(columns);
  }
}

/** One aggregate of column `c` per bucket, in `order`. */
function opVector(buckets: Buckets, c: number, op: ReduceOp, order: Int32Array): Vector {
  const sums = buckets.sumsFor(c);
  const n = order.length;
  if (op === "count") {
    const count = new BigInt64Array(n);
    const words = new Int32Array(count.buffer);
    for (let i = 0; i < n; i++) setInt64(words, i, sums.count[order[i] as number] as number);
    return makeVector(makeData({ type: new Int64(), length: n, nullCount: 0, data: count }));
  }
  const values = new Float64Array(n);
  const valid = new Uint8Array((n + 7) >>> 3);
  let nulls = 0;
  const source = op === "min" ? sums.min : op === "max" ? sums.max : sums.sum;
  for (let i = 0; i < n; i++) {
    const s = order[i] as number;
    const k = sums.count[s] as number;
    if (k === 0) {
      nulls++;
      continue;
    }
    valid[i >>> 3] = (valid[i >>> 3] as number) | (1 << (i & 7));
    values[i] = op === "avg" ? (source[s] as number) / k : (source[s] as number);
  }
  return makeVector(
    makeData({
      type: new Float64(),
      length: n,
      nullCount: nulls,
      ...(nulls > 0 && { nullBitmap: valid }),
      data: values,
    }),
  );
}

/** A matcher for a column-name glob: `*` any run of characters, `?` one, the rest literal. */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "su");
  return (name) => regex.test(name);
}
