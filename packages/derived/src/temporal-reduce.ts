// Temporal reduce, a derived computation: rollups of a series to several resolutions with chosen
// aggregates, extended chunk by chunk as the series grows instead of recomputed.

import { PondError, parseDuration } from "@pond/tinyfs";
import { loadStates, saveStates } from "#platform/rollup-store";
import type { DerivedComputation, DerivedContent } from "./derived-computation.js";
import type { DerivedParams } from "./derived-key.js";
import { Buckets, Downsampler } from "./downsampler.js";
import { parseResolution, type Resolution } from "./resolution.js";
import {
  chunkId,
  globMatcher,
  REDUCE_OPS,
  type ReduceAggregation,
  type ReduceOp,
  RollupState,
} from "./rollup-state.js";
import { chunkMayOverlap } from "./series-chunks.js";
import {
  type TimeseriesOptions,
  timeseriesParams,
  timeseriesSpec,
  visitChunk,
} from "./timeseries-input.js";

export { REDUCE_OPS, type ReduceAggregation, type ReduceOp } from "./rollup-state.js";

/** The computation's name: the directory of its results and part of every key. */
export const TEMPORAL_REDUCE = "temporal-reduce";

/** Options of a temporal-reduce request. */
export interface TemporalReduceOptions extends TimeseriesOptions {
  /** Bucket widths, one result each: milliseconds or durations such as "1h", "1d". */
  resolutions: readonly Resolution[];
  /** Which aggregates of which columns; see `RollupState.table` for the output columns. */
  aggregations: readonly ReduceAggregation[];
  /**
   * How long after a bucket ends data for it is still expected (default "1d"): a bucket whose
   * end is this far before the newest event time is sealed, and its aggregates are written
   * once to the cache directory. Later data for it is still folded in; results never depend
   * on it.
   */
  lateness?: Resolution;
}

const DEFAULT_LATENESS_MS = 86_400_000;

/** Chunks read ahead of the one being aggregated. */
const READ_AHEAD = 4;

/** States kept in a manager's memo, by estimated bytes (least recently used dropped first). */
const MEMO_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * Per epoch-aligned UTC bucket `[k × width, (k + 1) × width)` of each resolution, the asked-for
 * aggregates of the numeric columns matching each glob (nulls and NaN ignored; `count` counts
 * values; the others are null for a bucket without values); buckets without rows are left
 * out. The state behind each result (per chunk, per bucket: count, sum, min, max) is kept in
 * the manager's memo and, with a `cacheDir`, on disk; a request for a newer version of the
 * series folds in only the chunks added since.
 */
export const temporalReduce: DerivedComputation = {
  name: TEMPORAL_REDUCE,
  inputs: { min: 1, max: 1, entryTypes: ["file:data", "file:table", "file:series"] },

  parameters(options) {
    if (typeof options !== "object" || options === null) {
      throw new PondError("EINVAL", "temporal-reduce needs options: resolutions and aggregations");
    }
    const request = options as TemporalReduceOptions;
    if (!Array.isArray(request.resolutions) || request.resolutions.length === 0) {
      throw new PondError("EINVAL", "no resolution given");
    }
    const widths = request.resolutions.map(parseResolution);
    const aggregations = parseAggregations(request.aggregations).map((a) => ({
      columns: a.columns,
      ops: [...a.ops],
    }));
    const latenessMs = parseLateness(request.lateness);
    const shared = timeseriesParams(request);
    return widths.map((resolutionMs) => ({ resolutionMs, aggregations, latenessMs, ...shared }));
  },

  async compute({ inputs, params, counters, memo, cacheDir }) {
    const input = inputs[0] as NonNullable<(typeof inputs)[0]>;
    // One request's results differ only in their resolution.
    const first = params[0] as DerivedParams;
    const spec = timeseriesSpec(first);
    const aggregations = first.aggregations as unknown as ReduceAggregation[];
    const chunks = input.entryType === "file:series" ? await input.versions() : [input.metadata];
    const ids = chunks.map(chunkId);
    const names = params.map((p) => stateName(input.nodeId, p));
    const held = names.map((name) => take(memo, name, ids));
    // The cache directory is read only for states the memo does not hold.
    const missing = held.flatMap((s, i) => (s === undefined ? [i] : []));
    const stored = await loadStates(
      cacheDir,
      missing.map((i) => names[i] as string),
      ids,
      missing.map((i) => params[i] as DerivedParams),
    );
    const states = held.map(
      (state, i) =>
        state ??
        stored[missing.indexOf(i)] ??
        new RollupState(new Buckets((params[i] as DerivedParams).resolutionMs as number)),
    );
    const globs = aggregations.map((a) => globMatcher(a.columns));
    const reducer = new Downsampler(
      states.map((s) => s.resolutionMs),
      { ...spec, match: (name) => globs.some((g) => g(name)) },
    );
    const from = Math.min(...states.map((s) => s.covered.length));
    // Chunks are read a few ahead: reading one waits on the disk while the one before decodes.
    const reads = new Map<number, Promise<Uint8Array>>();
    const readAhead = (i: number) => {
      const chunk = chunks[i];
      if (
        chunk === undefined ||
        reads.has(i) ||
        !chunkMayOverlap(chunk, spec, spec.timestampColumn)
      ) {
        return;
      }
      const reading = input.read(chunk.version);
      // Awaited in its turn; a failure while an earlier chunk fails is not left unhandled.
      reading.catch(() => undefined);
      reads.set(i, reading);
    };
    for (let i = from; i < chunks.length; i++) {
      const chunk = chunks[i] as (typeof chunks)[0];
      for (let ahead = i; ahead <= i + READ_AHEAD; ahead++) readAhead(ahead);
      const reading = reads.get(i);
      reads.delete(i);
      await visitChunk(
        input,
        chunk,
        spec,
        counters,
        (table, hints) => reducer.add(table, hints, input.path),
        (fields, hints) => reducer.columnsNeeded(fields, hints, input.path),
        reading,
      );
      for (const [r, state] of states.entries()) {
        if (state.covered.length !== i) continue;
        state.fold(
          reducer.buckets[r] as Buckets,
          reducer.columnNames,
          reducer.columnsMet(),
          ids[i] as string,
          chunk.maxEventTime,
        );
      }
      reducer.reset();
    }
    const contents: DerivedContent[] = [];
    for (const state of states) {
      contents.push({
        data: state.parquet(aggregations),
        extension: ".parquet",
        entryType: "file:table",
        attrs: {
          timestampColumn: "timestamp",
          timestampUnit: "ms",
          resolutionMs: String(state.resolutionMs),
        },
      });
    }
    // Saved before they go back to the memo: a request that took one from there meanwhile
    // would change it while it is written.
    await saveStates(cacheDir, names, states, params);
    for (const [r, state] of states.entries()) keep(memo, names[r] as string, state);
    return contents;
  },
};

/** A state's name: its series and every parameter (a range or another column is another state). */
function stateName(nodeId: string, params: DerivedParams): string {
  return `${nodeId}\n${JSON.stringify(params)}`;
}

/** The memo's state for `name` if it covers a prefix of `ids`, taken out while it is extended. */
function take(
  memo: Map<string, unknown>,
  name: string,
  ids: readonly string[],
): RollupState | undefined {
  const state = memo.get(name);
  if (!(state instanceof RollupState) || !state.isPrefixOf(ids)) return undefined;
  memo.delete(name);
  return state;
}

/** Puts `state` back as the most recent, unless the memo holds a state of more chunks. */
function keep(memo: Map<string, unknown>, name: string, state: RollupState): void {
  const held = memo.get(name);
  if (held instanceof RollupState && held.covered.length > state.covered.length) return;
  memo.delete(name);
  memo.set(name, state);
  let bytes = 0;
  for (const s of memo.values()) bytes += (s as RollupState).bytes();
  for (const [oldest, s] of memo) {
    if (bytes <= MEMO_BUDGET_BYTES || oldest === name) break;
    bytes -= (s as RollupState).bytes();
    memo.delete(oldest);
  }
}

function parseAggregations(value: unknown): ReduceAggregation[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new PondError("EINVAL", "aggregations must be a non-empty list of { columns, ops }");
  }
  return value.map((a, i) => {
    const { columns, ops } = (a ?? {}) as Partial<ReduceAggregation>;
    if (typeof columns !== "string" || columns === "") {
      throw new PondError("EINVAL", `aggregations[${i}].columns must be a column-name glob`);
    }
    if (!Array.isArray(ops) || ops.length === 0) {
      throw new PondError("EINVAL", `aggregations[${i}].ops must list ${REDUCE_OPS.join(", ")}`);
    }
    for (const op of ops) {
      if (!(REDUCE_OPS as readonly unknown[]).includes(op)) {
        throw new PondError(
          "EINVAL",
          `aggregations[${i}]: unknown op ${JSON.stringify(op)} (use ${REDUCE_OPS.join(", ")})`,
        );
      }
    }
    return { columns, ops: [...new Set(ops as ReduceOp[])] };
  });
}

function parseLateness(value: unknown): number {
  if (value === undefined) return DEFAULT_LATENESS_MS;
  const ms =
    typeof value === "string"
      ? parseDuration(value, "lateness")
      : typeof value === "number"
        ? value
        : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new PondError("EINVAL", `invalid lateness ${String(value)}: a duration such as 1d, or 0`);
  }
  return ms;
}
