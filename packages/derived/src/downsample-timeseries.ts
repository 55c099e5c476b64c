// The built-in computation: a Parquet table or a series downsampled to one or more resolutions.

import { PondError } from "@pond/tinyfs";
import { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_UNIT_ATTR } from "./append-series-chunk.js";
import type { TimeUnit } from "./arrow-ffi.js";
import { Downsampler } from "./downsampler.js";
import { visitParquet, writeParquet } from "./parquet-io.js";
import { chunkMayOverlap } from "./series-chunks.js";
import type { SourceInput } from "./source-input.js";
import type { MillisRange } from "./time-range.js";
import { parseTimeUnit, type TimestampHints } from "./timestamp-column.js";

/** The computation's name: the directory of its results and part of every key. */
export const DOWNSAMPLE = "downsample";

export interface DownsampleSpec extends MillisRange {
  /** The bucket widths, in milliseconds. */
  resolutionsMs: readonly number[];
  columns?: readonly string[] | undefined;
  timestampColumn?: string | undefined;
  timestampUnit?: TimeUnit | undefined;
}

/** What a computation reports about the chunks it opened. */
export interface ChunkCounter {
  chunksRead: number;
  chunksSkipped: number;
}

/**
 * Downsamples `input` — a Parquet file, or every chunk of a `file:series` (a
 * chunk the range excludes is not read) — and returns one Parquet file per
 * resolution, in the order of `spec.resolutionsMs`.
 */
export async function downsampleTimeseries(
  input: SourceInput,
  spec: DownsampleSpec,
  counter: ChunkCounter,
): Promise<Uint8Array[]> {
  const { path } = input;
  if (input.entryType === "directory" || input.entryType === "symlink") {
    throw new PondError("EINVAL", `cannot downsample a ${input.entryType}`, { path });
  }
  const downsampler = new Downsampler(spec.resolutionsMs, spec);
  const chunks = input.entryType === "file:series" ? await input.versions() : [input.metadata];
  for (const chunk of chunks) {
    if (!chunkMayOverlap(chunk, spec, spec.timestampColumn)) {
      counter.chunksSkipped++;
      continue;
    }
    const bytes = await input.read(chunk.version);
    counter.chunksRead++;
    const hints = hintsFor(spec, chunk.attrs, path);
    await visitParquet(
      bytes,
      (table) => downsampler.add(table, hints, path),
      path,
      (fields) => downsampler.columnsNeeded(fields, hints, path),
    );
  }
  const outputs: Uint8Array[] = [];
  for (const table of downsampler.results()) outputs.push(await writeParquet(table));
  return outputs;
}

function hintsFor(
  spec: DownsampleSpec,
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
