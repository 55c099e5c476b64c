// The merged partial aggregates of a rollup: per bucket of one resolution, the row count and
// per column the count, sum, min and max of the values, folded chunk by chunk in version order.

import { BUCKET_COLUMN, type Buckets } from "./downsampler.js";
import {
  assembleParquet,
  type EncodedGroup,
  encodeGroup,
  type RollupColumn,
} from "./rollup-parquet.js";

/** Buckets per row group of a result: a block's encoding is kept until a fold touches it. */
const BLOCK = 4096;

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
  /** Each block's slots, in the order they were made. */
  private readonly blockSlots = new Map<number, number[]>();
  /** Encoded row groups of blocks no fold touched since, for the columns in `encodedFor`. */
  private readonly encoded = new Map<number, EncodedGroup>();
  private encodedFor = "";

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

  /** The slot of `bucket`, made if missing; its block's encoding is dropped. */
  slot(bucket: number): number {
    const block = Math.floor(bucket / BLOCK);
    this.encoded.delete(block);
    const before = this.buckets.slots;
    const slot = this.buckets.slot(bucket);
    if (this.buckets.slots > before) {
      const slots = this.blockSlots.get(block);
      if (slots) slots.push(slot);
      else this.blockSlots.set(block, [slot]);
    }
    return slot;
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
      targets[s] = this.slot(bucket);
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
      this.buckets.slots * 56 +
      this.covered.length * 100 +
      [...this.encoded.values()].reduce((sum, g) => sum + g.bytes.length, 0)
    );
  }

  /**
   * The rollup as a Parquet file, one row group per block of buckets, sorted by bucket:
   * `timestamp` (bucket start, ms, UTC), then for each aggregation in order, each column it
   * matches (in `columns` order) and each op: `<column>.<op>`, a double (`count`: int64),
   * null where the bucket has no value (sum too, as in SQL). A pair asked for twice is one
   * column; a glob that matches no column (yet: a series may gain columns) adds none. Blocks
   * no fold touched since the last call are not encoded again.
   */
  parquet(aggregations: readonly ReduceAggregation[]): Uint8Array {
    const outputs: OutputColumn[] = [{ name: BUCKET_COLUMN, kind: "timestamp", c: -1, op: "" }];
    const names = new Set([BUCKET_COLUMN]);
    for (const { columns: pattern, ops } of aggregations) {
      const matches = globMatcher(pattern);
      for (const [c, name] of this.columns.entries()) {
        if (!matches(name)) continue;
        for (const op of ops) {
          const out = `${name}.${op}`;
          if (names.has(out)) continue;
          names.add(out);
          outputs.push({ name: out, kind: op === "count" ? "count" : "double", c, op });
        }
      }
    }
    const signature = JSON.stringify(outputs);
    if (signature !== this.encodedFor) {
      this.encoded.clear();
      this.encodedFor = signature;
    }
    const blocks = [...this.blockSlots.keys()].sort((a, b) => a - b);
    const groups = blocks.map((block) => {
      let group = this.encoded.get(block);
      if (group === undefined) {
        group = this.encodeBlock(this.blockSlots.get(block) as number[], outputs);
        this.encoded.set(block, group);
      }
      return group;
    });
    return assembleParquet(outputs, groups);
  }

  private encodeBlock(slots: readonly number[], outputs: readonly OutputColumn[]): EncodedGroup {
    const { buckets } = this;
    const order = [...slots].sort(
      (a, b) => (buckets.bucketOfSlot[a] as number) - (buckets.bucketOfSlot[b] as number),
    );
    const n = order.length;
    const values: Float64Array[] = [];
    const valid: Array<Uint8Array | null> = [];
    for (const { c, op } of outputs) {
      const out = new Float64Array(n);
      values.push(out);
      if (c < 0) {
        for (let i = 0; i < n; i++) {
          out[i] = (buckets.bucketOfSlot[order[i] as number] as number) * this.resolutionMs;
        }
        valid.push(null);
        continue;
      }
      const sums = buckets.sumsFor(c);
      if (op === "count") {
        for (let i = 0; i < n; i++) out[i] = sums.count[order[i] as number] as number;
        valid.push(null);
        continue;
      }
      const bitmap = new Uint8Array((n + 7) >>> 3);
      const source = op === "min" ? sums.min : op === "max" ? sums.max : sums.sum;
      for (let i = 0; i < n; i++) {
        const s = order[i] as number;
        const k = sums.count[s] as number;
        if (k === 0) continue;
        bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
        out[i] = op === "avg" ? (source[s] as number) / k : (source[s] as number);
      }
      valid.push(bitmap);
    }
    return encodeGroup(outputs, n, values, valid);
  }
}

/** A result column and where its values come from: column `c`'s `op` (c < 0: the bucket start). */
interface OutputColumn extends RollupColumn {
  c: number;
  op: ReduceOp | "";
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
