// Writing a timeseries: each Parquet chunk is a new version of a `file:series`.

import {
  dynamicKind,
  type FS,
  type NodeMetadata,
  PondError,
  type WD,
  type WriteFileOptions,
} from "@pond/tinyfs";
import type { ColumnView, FieldInfo, TimeUnit } from "./arrow-ffi.js";
import { parquetFields, visitParquet } from "./parquet-io.js";
import {
  columnsOf,
  recordedColumns,
  SERIES_COLUMNS_ATTR,
  type SeriesColumns,
  unionColumns,
} from "./series-columns.js";
import {
  findTimestampColumn,
  parseTimeUnit,
  type TimestampColumn,
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
 * `minEventTime`/`maxEventTime` (epoch milliseconds, rounded outwards so the
 * range always contains the chunk) and the time column's name
 * and unit in `attrs.timestampColumn` / `attrs.timestampUnit`; readers use
 * them to skip chunks outside a requested range. Without options, the time
 * column recorded by the series' newest chunk is used again. Given a WD, the
 * write joins its transaction, if one is open. EINVAL for a path that is not
 * a series, bytes that are not Parquet, a chunk without a time column, or a
 * chunk with a column whose type differs from that column's in the series
 * (the union of the versions' columns is recorded in `attrs.columns`);
 * CORRUPT for undecodable Parquet.
 */
export async function appendSeriesChunk(
  target: FS | WD,
  path: string,
  parquet: Uint8Array,
  options: AppendSeriesChunkOptions = {},
): Promise<NodeMetadata> {
  const wd = workingDirectory(target);
  const version = await seriesVersion(wd, path, options, async (hints) => {
    // The selector sees every field, the table only those decoded.
    let fields: readonly FieldInfo[] | undefined;
    return visitParquet(
      parquet,
      (table) => {
        const time = findTimestampColumn(table.fields, hints, path);
        let bounds: TimeBounds | undefined;
        for (const batch of table.batches) {
          const b = timeBounds(batch.columns[time.index] as ColumnView, time);
          if (!b) continue;
          if (!bounds) bounds = b;
          if (b.min < bounds.min) bounds.min = b.min;
          if (b.max > bounds.max) bounds.max = b.max;
        }
        return { time, bounds, fields: fields ?? table.fields };
      },
      path,
      (all) => {
        fields = all;
        return [findTimestampColumn(all, hints, path).name];
      },
    );
  });
  return wd.writeFile(path, parquet, version);
}

/** The smallest and largest time of a chunk, in its time column's unit. */
export interface TimeBounds {
  min: bigint;
  max: bigint;
}

/** What a new version of a series needs to know of its chunk. */
export interface ChunkFacts {
  time: TimestampColumn;
  bounds: TimeBounds | undefined;
  /** The chunk's columns. */
  fields: readonly FieldInfo[];
}

/**
 * The write options of a new version of the series at `path`: its time column, event-time range
 * and the union of the columns. `facts` reads the chunk, given what is known of the time column.
 * EINVAL for a path that is not a series, or a chunk whose column types differ from the series'.
 */
export async function seriesVersion(
  wd: WD,
  path: string,
  options: AppendSeriesChunkOptions,
  facts: (hints: TimestampHints) => Promise<ChunkFacts>,
): Promise<WriteFileOptions> {
  const existing = await existingSeries(wd, path);
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
  const { time, bounds, fields } = await facts(hints);
  const columns = unionColumns(
    existing ? await existingColumns(wd, path, existing) : [],
    columnsOf(fields),
    path,
  );
  return {
    entryType: "file:series",
    attrs: {
      ...options.attrs,
      [TIMESTAMP_COLUMN_ATTR]: time.name,
      [TIMESTAMP_UNIT_ATTR]: time.unit,
      [SERIES_COLUMNS_ATTR]: JSON.stringify(columns),
    },
    ...(bounds && {
      minEventTime: toMillis(bounds.min, time.unit, "floor"),
      maxEventTime: toMillis(bounds.max, time.unit, "ceil"),
    }),
  };
}

/** The columns of the series at `path`; none when it is missing; EINVAL if it is no series. */
export async function seriesColumns(wd: WD, path: string): Promise<SeriesColumns> {
  const existing = await existingSeries(wd, path);
  return existing ? existingColumns(wd, path, existing) : [];
}

async function existingSeries(wd: WD, path: string): Promise<NodeMetadata | undefined> {
  const existing = await wd.stat(path).catch((error: unknown) => {
    if (PondError.is(error, "ENOENT")) return undefined;
    throw error;
  });
  if (existing && dynamicKind(existing) !== undefined) {
    throw new PondError("EROFS", "a dynamic node's content is computed: it cannot be written", {
      path,
    });
  }
  if (existing && existing.entryType !== "file:series") {
    throw new PondError("EINVAL", `not a series (${existing.entryType})`, { path });
  }
  return existing;
}

/**
 * The union of a series' columns: recorded with its newest version, or (for a series written
 * before they were recorded) read from every version's footer.
 */
async function existingColumns(wd: WD, path: string, newest: NodeMetadata): Promise<SeriesColumns> {
  const recorded = recordedColumns(newest.attrs);
  if (recorded) return recorded;
  let columns: SeriesColumns = [];
  for (const version of await wd.listFileVersions(path)) {
    const bytes = await wd.readFile(path, { version: version.version });
    columns = unionColumns(columns, columnsOf(await parquetFields(bytes, path)), path);
  }
  return columns;
}

/** The root of an FS, or the WD itself (whose writes join its transaction, if one is open). */
export function workingDirectory(target: FS | WD): WD {
  // Duck-typed rather than instanceof: another copy of @pond/tinyfs may have made the FS.
  return typeof (target as Partial<FS>).transaction === "function"
    ? (target as FS).root()
    : (target as WD);
}

const UNITS_PER_MS: Record<TimeUnit, bigint> = { s: 1n, ms: 1n, us: 1_000n, ns: 1_000_000n };

/** A time in `unit` as whole epoch milliseconds, rounded down or up. */
function toMillis(value: bigint, unit: TimeUnit, rounding: "floor" | "ceil"): number {
  if (unit === "s") return Number(value * 1000n);
  const per = UNITS_PER_MS[unit];
  let ms = value / per;
  const rest = value - ms * per;
  if (rounding === "floor" && rest < 0n) ms -= 1n;
  if (rounding === "ceil" && rest > 0n) ms += 1n;
  return Number(ms);
}
