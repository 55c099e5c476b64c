// A time series input, as every time series computation reads it: the options naming its time
// column and range, and its tables (a Parquet file, or the chunks of a series the range admits).

import { type NodeMetadata, PondError } from "@pond/tinyfs";
import { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_UNIT_ATTR } from "./append-series-chunk.js";
import type { FieldInfo, TableView, TimeUnit } from "./arrow-ffi.js";
import type { DerivedParams } from "./derived-key.js";
import { visitParquet } from "./parquet-io.js";
import { chunkMayOverlap } from "./series-chunks.js";
import type { SourceInput } from "./source-input.js";
import { type MillisRange, parseTimeRange, type TimeRange } from "./time-range.js";
import { parseTimeUnit, type TimestampHints } from "./timestamp-column.js";

/** The options every time series computation takes. */
export interface TimeseriesOptions {
  /** Only rows with a time in `[start, end)`; series chunks that cannot overlap are not read. */
  range?: TimeRange;
  /** The time column (default: the node's `attrs.timestampColumn`, else found by type and name). */
  timestampColumn?: string;
  /** The unit of an integer epoch time column (default: the node's `attrs.timestampUnit`). */
  timestampUnit?: TimeUnit;
}

/** Those options validated, as they appear in a result's parameters. */
export interface TimeseriesParams {
  start: number | undefined;
  end: number | undefined;
  timestampColumn: string | undefined;
  timestampUnit: TimeUnit | undefined;
}

/** EINVAL for an invalid range or unit. */
export function timeseriesParams(options: TimeseriesOptions): TimeseriesParams {
  const range = parseTimeRange(options.range);
  return {
    start: range.startMs,
    end: range.endMs,
    timestampColumn: options.timestampColumn,
    timestampUnit:
      options.timestampUnit === undefined ? undefined : parseTimeUnit(options.timestampUnit),
  };
}

/** The time series part of a result's parameters, back in its typed form. */
export function timeseriesSpec(params: DerivedParams): TimeseriesParams & MillisRange {
  const p = params as unknown as TimeseriesParams;
  return {
    ...p,
    ...(p.start !== undefined && { startMs: p.start }),
    ...(p.end !== undefined && { endMs: p.end }),
  };
}

/**
 * Hands `visit` every table of `input` — a Parquet file, or every chunk of a
 * `file:series` (a chunk `spec`'s range excludes is not read) — with the hints
 * that find its time column; `select` names the columns to decode.
 */
export async function visitTimeseries(
  input: SourceInput,
  spec: TimeseriesParams & MillisRange,
  counters: { chunksRead: number; chunksSkipped: number },
  visit: (table: TableView, hints: TimestampHints) => void,
  select: (fields: readonly FieldInfo[], hints: TimestampHints) => string[],
): Promise<void> {
  const chunks = input.entryType === "file:series" ? await input.versions() : [input.metadata];
  for (const chunk of chunks) await visitChunk(input, chunk, spec, counters, visit, select);
}

/**
 * Hands `visit` the table of one chunk of `input` (or of the file itself), unless `spec`'s range
 * excludes it (counted as skipped). `reading`, when given, is the chunk's content being read.
 */
export async function visitChunk(
  input: SourceInput,
  chunk: NodeMetadata,
  spec: TimeseriesParams & MillisRange,
  counters: { chunksRead: number; chunksSkipped: number },
  visit: (table: TableView, hints: TimestampHints) => void,
  select: (fields: readonly FieldInfo[], hints: TimestampHints) => string[],
  reading?: Promise<Uint8Array>,
): Promise<void> {
  const { path } = input;
  if (!chunkMayOverlap(chunk, spec, spec.timestampColumn)) {
    counters.chunksSkipped++;
    return;
  }
  const bytes = await (reading ?? input.read(chunk.version));
  counters.chunksRead++;
  const hints = hintsFor(spec, chunk.attrs, path);
  await visitParquet(
    bytes,
    (table) => visit(table, hints),
    path,
    (fields) => select(fields, hints),
  );
}

function hintsFor(
  spec: TimeseriesParams,
  attrs: Record<string, string> | undefined,
  path: string,
): TimestampHints {
  const column = spec.timestampColumn ?? attrs?.[TIMESTAMP_COLUMN_ATTR];
  const recordedUnit = attrs?.[TIMESTAMP_UNIT_ATTR];
  let unit = spec.timestampUnit;
  if (unit === undefined && recordedUnit !== undefined) {
    try {
      unit = parseTimeUnit(recordedUnit, `attrs.${TIMESTAMP_UNIT_ATTR}`);
    } catch (error) {
      throw PondError.is(error) ? error.withPath(path) : error;
    }
  }
  return { column, unit };
}
