// Writing CSV into a pond: as a file:table, or as a new version of a file:series.

import type { FS, NodeMetadata, WD } from "@pond/tinyfs";
import {
  type AppendSeriesChunkOptions,
  seriesColumns,
  seriesVersion,
  workingDirectory,
} from "./append-series-chunk.js";
import type { FieldInfo } from "./arrow-ffi.js";
import { type CsvColumn, type CsvOptions, csvToParquet } from "./csv-to-parquet.js";
import { type CsvType, csvTypeOfFormat, formatOf, timestampUnit } from "./csv-types.js";
import { findTimestampColumn } from "./timestamp-column.js";

export interface ImportCsvOptions extends CsvOptions, AppendSeriesChunkOptions {
  /** Append a new version of a `file:series` (see appendSeriesChunk) rather than write a `file:table`. */
  series?: boolean;
}

/**
 * Converts CSV text (see {@link csvToParquet}) to Parquet and writes it at `path`: a new
 * `file:table` or a new version of one, or with `series`, a new version of a `file:series`,
 * recording its event-time range as appendSeriesChunk does. Appending to a series, its columns'
 * types are used for the CSV columns of the same names (the schema's types come first), so that
 * a chunk whose values happen to look narrower still fits. The text is read twice through `open`,
 * and the Parquet file is streamed into the pond: memory does not grow with the file. Nothing is
 * written when the text is bad; given a WD, the write joins its transaction, if one is open.
 */
export async function importCsv(
  target: FS | WD,
  path: string,
  open: () => AsyncIterable<Uint8Array>,
  options: ImportCsvOptions = {},
): Promise<NodeMetadata> {
  const wd = workingDirectory(target);
  const { series = false, schema, name = path, ...seriesOptions } = options;
  if (!series) {
    const csv = await csvToParquet(open, { name, ...(schema && { schema }) });
    return wd.writeFileFrom(path, csv.parquet(), { entryType: "file:table" });
  }
  const known: Record<string, CsvType> = {};
  for (const [column, format] of await seriesColumns(wd, path)) {
    const type = csvTypeOfFormat(format);
    if (type) known[column] = type;
  }
  const csv = await csvToParquet(open, { name, knownTypes: known, ...(schema && { schema }) });
  const fields = csv.columns.map(fieldOf);
  const version = await seriesVersion(wd, path, seriesOptions, async (hints) => {
    const time = findTimestampColumn(fields, hints, path);
    return { time, bounds: csv.bounds.get(time.name), fields };
  });
  return wd.writeFileFrom(path, csv.parquet(), version);
}

/** A CSV column as the Arrow field it is written as. */
function fieldOf(column: CsvColumn): FieldInfo {
  const format = formatOf(column.type);
  const unit = timestampUnit(column.type);
  if (unit) return { name: column.name, format, kind: "timestamp", unit, timezone: "UTC" };
  const kind = column.type === "int64" || column.type === "float64" ? column.type : "other";
  return { name: column.name, format, kind };
}
