// Several time series side by side on one time axis: the full outer join by time that
// timeseries-join and timeseries-pivot share.

import { PondError } from "@pond/tinyfs";
import {
  TimeUnit as ArrowTimeUnit,
  type DataType,
  type Field,
  makeData,
  makeVector,
  Table,
  Timestamp,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_UNIT_ATTR } from "./append-series-chunk.js";
import type { TimeUnit } from "./arrow-ffi.js";
import type { DerivedContent } from "./derived-computation.js";
import { parquetFields, readParquet, writeParquet } from "./parquet-io.js";
import type { SourceInput } from "./source-input.js";
import type { MillisRange } from "./time-range.js";
import type { TimeseriesParams } from "./timeseries-input.js";
import { findTimestampColumn, TIME_UNITS } from "./timestamp-column.js";

/** The output's time column. */
export const ALIGNED_TIME_COLUMN = "timestamp";

/** Which columns of one input go to the output, and under which names. */
export type ColumnChoice = (
  columns: readonly string[],
  input: number,
  path: string,
) => Array<[string, string]>;

interface InputRows {
  /** Per time (in the output unit), the newest row with it: [chunk, row]. */
  rows: Map<bigint, [number, number]>;
  chunks: Table[];
}

const ARROW_UNITS: Record<TimeUnit, ArrowTimeUnit> = {
  s: ArrowTimeUnit.SECOND,
  ms: ArrowTimeUnit.MILLISECOND,
  us: ArrowTimeUnit.MICROSECOND,
  ns: ArrowTimeUnit.NANOSECOND,
};

/**
 * One Parquet table: a `timestamp` column (UTC, in the finest unit of the inputs, every time
 * converted exactly) holding every time any input has, ascending, and beside it the columns
 * `choose` picks from each input, null where an input has no row at that time. Rows without a
 * time are left out. A time an input holds more than once takes that input's last row with it,
 * in version order and then row order: a later version corrects an earlier one.
 */
export async function alignSeries(
  inputs: readonly SourceInput[],
  spec: TimeseriesParams & MillisRange,
  counters: { chunksRead: number },
  choose: ColumnChoice,
): Promise<DerivedContent> {
  const read: Array<{
    input: SourceInput;
    unit: TimeUnit;
    chunks: Array<{ table: Table; time: string; unit: TimeUnit }>;
  }> = [];
  for (const input of inputs) {
    const versions = input.entryType === "file:series" ? await input.versions() : [input.metadata];
    const chunks = [];
    for (const version of versions) {
      const bytes = await input.read(version.version);
      counters.chunksRead++;
      const fields = await parquetFields(bytes, input.path);
      const hints = {
        column: spec.timestampColumn ?? version.attrs?.[TIMESTAMP_COLUMN_ATTR],
        unit: spec.timestampUnit ?? (version.attrs?.[TIMESTAMP_UNIT_ATTR] as TimeUnit | undefined),
      };
      const time = findTimestampColumn(fields, hints, input.path);
      chunks.push({
        table: await readParquet(bytes, input.path),
        time: time.name,
        unit: time.unit,
      });
    }
    read.push({ input, unit: finest(chunks.map((c) => c.unit)), chunks });
  }
  const unit = finest(read.map((r) => r.unit));
  // The range compared in nanoseconds: exact whatever the unit.
  const toNs = scaleBetween(unit, "ns");
  const start = spec.startMs === undefined ? undefined : BigInt(spec.startMs) * 1_000_000n;
  const end = spec.endMs === undefined ? undefined : BigInt(spec.endMs) * 1_000_000n;
  const all = new Set<bigint>();
  const columns: Array<{ name: string; input: number; source: string; type: DataType }> = [];
  const names = new Set<string>([ALIGNED_TIME_COLUMN]);
  const rowsOf: InputRows[] = read.map(({ input, chunks }, i) => {
    const rows = new Map<bigint, [number, number]>();
    const seen: string[] = [];
    chunks.forEach(({ table, time, unit: chunkUnit }, c) => {
      const scale = scaleBetween(chunkUnit, unit);
      const times = table.getChild(time) as Vector;
      for (let r = 0; r < table.numRows; r++) {
        if (!times.isValid(r)) continue;
        const t = rawTime(times, r) * scale;
        const ns = t * toNs;
        if ((start !== undefined && ns < start) || (end !== undefined && ns >= end)) continue;
        rows.set(t, [c, r]);
        all.add(t);
      }
      for (const field of table.schema.fields as Field[]) {
        if (field.name === time || seen.includes(field.name)) continue;
        seen.push(field.name);
      }
    });
    for (const [source, name] of choose(seen, i, input.path)) {
      if (names.has(name)) {
        throw new PondError("EINVAL", `two output columns are named "${name}"`, {
          path: input.path,
        });
      }
      names.add(name);
      const type = chunks
        .map((c) => c.table.schema.fields.find((f) => f.name === source)?.type)
        .find(Boolean);
      if (type === undefined) {
        throw new PondError("EINVAL", `no column named "${source}"`, { path: input.path });
      }
      columns.push({ name, input: i, source, type });
    }
    return { rows, chunks: chunks.map((c) => c.table) };
  });
  const times = BigInt64Array.from([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const output: Record<string, Vector> = {
    [ALIGNED_TIME_COLUMN]: makeVector(
      makeData({
        type: new Timestamp(ARROW_UNITS[unit], "UTC"),
        length: times.length,
        data: times,
      } as never),
    ),
  };
  for (const column of columns) {
    const { rows, chunks } = rowsOf[column.input] as InputRows;
    const values = Array.from(times, (t) => {
      const at = rows.get(t);
      if (at === undefined) return null;
      const child = (chunks[at[0]] as Table).getChild(column.source);
      return child === null ? null : (child.get(at[1]) as unknown);
    });
    output[column.name] = vectorFromArray(values, column.type);
  }
  return {
    data: await writeParquet(new Table(output)),
    extension: ".parquet",
    entryType: "file:table",
    attrs: { [TIMESTAMP_COLUMN_ATTR]: ALIGNED_TIME_COLUMN, [TIMESTAMP_UNIT_ATTR]: unit },
  };
}

/** A time column's stored integer at row `r`, exactly (Arrow's get() rounds to milliseconds). */
function rawTime(vector: Vector, r: number): bigint {
  let row = r;
  for (const data of vector.data) {
    if (row < data.length) {
      const values = data.values as BigInt64Array | Int32Array;
      const at = data.offset + row;
      if (values instanceof BigInt64Array) return values[at] as bigint;
      if (data.type.bitWidth === 64 || (data.type as { unit?: unknown }).unit !== undefined) {
        // 64-bit values kept as (low, high) 32-bit words.
        const low = BigInt((values[2 * at] as number) >>> 0);
        return (BigInt(values[2 * at + 1] as number) << 32n) | low;
      }
      return BigInt(values[at] as number);
    }
    row -= data.length;
  }
  throw new PondError("CORRUPT", "a time column is shorter than its table");
}

function finest(units: readonly TimeUnit[]): TimeUnit {
  return units.reduce((a, b) => (TIME_UNITS.indexOf(b) > TIME_UNITS.indexOf(a) ? b : a), "s");
}

function scaleBetween(from: TimeUnit, to: TimeUnit): bigint {
  return 1000n ** BigInt(TIME_UNITS.indexOf(to) - TIME_UNITS.indexOf(from));
}
