// A query's result written as it is made: an aligned table, CSV, JSON or Parquet. Loaded only by
// the commands that query (apache-arrow's modules would slow every other command's start).

import { PondError, type QueryRun } from "@pond/tinyfs";
import { DataType, type RecordBatch, type Schema, type Type, type Vector } from "apache-arrow";
import { loadDerived } from "./derived.js";
import { renderTable } from "./output/table.js";

export const QUERY_FORMATS = ["table", "csv", "json", "parquet"] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

const encoder = new TextEncoder();

/** The result in `format`, a piece at a time. */
export async function* queryOutput(run: QueryRun, format: QueryFormat): AsyncGenerator<Uint8Array> {
  if (format === "parquet") {
    yield* parquetOutput(run);
    return;
  }
  let rows = 0;
  let first = true;
  let schema: Schema | undefined;
  for await (const batch of run) {
    schema = batch.schema;
    if (batch.numRows === 0) continue;
    const text =
      format === "csv"
        ? csvBatch(batch, first)
        : format === "json"
          ? jsonBatch(batch, first)
          : tableBatch(batch, first);
    rows += batch.numRows;
    first = false;
    if (text.length > 0) yield encoder.encode(text);
  }
  if (format === "json") yield encoder.encode(first ? "[]\n" : "\n]\n");
  else if (first && format === "csv" && schema) yield encoder.encode(`${csvHeader(schema)}\n`);
  else if (format === "table") yield encoder.encode(`(${rows} ${rows === 1 ? "row" : "rows"})\n`);
}

/** Parquet written as the batches come, as every query result becomes Parquet. */
async function* parquetOutput(run: QueryRun): AsyncGenerator<Uint8Array> {
  yield* (await loadDerived()).queryParquet(run);
}

/** The value of row `i` of `vector` as text (null as undefined). */
function text(vector: Vector, type: DataType, i: number): string | undefined {
  const value: unknown = vector.get(i);
  if (value === null || value === undefined) return undefined;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return isoTime(vector, type, i, value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "object") return JSON.stringify(value, jsonValue);
  return String(value);
}

const UNITS_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n];
const FRACTION_DIGITS = [0, 3, 6, 9];

/** An ISO 8601 time (UTC), to the precision of its unit: nanoseconds are kept. */
function isoTime(vector: Vector, type: DataType, i: number, value: unknown): string {
  const raw = DataType.isTimestamp(type) ? rawTimestamp(vector, i) : undefined;
  if (raw === undefined || !DataType.isTimestamp(type))
    return new Date(Number(value)).toISOString();
  const perSecond = UNITS_PER_SECOND[type.unit] as bigint;
  let seconds = raw / perSecond;
  let fraction = raw % perSecond;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += perSecond;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = FRACTION_DIGITS[type.unit] as number;
  return digits === 0 ? `${whole}Z` : `${whole}.${fraction.toString().padStart(digits, "0")}Z`;
}

/** The stored integer of the timestamp at row `i`, found in the vector's chunks. */
function rawTimestamp(vector: Vector, i: number): bigint | undefined {
  let row = i;
  for (const data of vector.data) {
    if (row < data.length) {
      const values: unknown = data.values;
      if (!(values instanceof BigInt64Array)) return undefined;
      return values[data.offset + row];
    }
    row -= data.length;
  }
  return undefined;
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function columns(batch: RecordBatch): { name: string; vector: Vector; type: DataType<Type> }[] {
  return batch.schema.fields.map((field, j) => ({
    name: field.name,
    vector: batch.getChildAt(j) as Vector,
    type: field.type,
  }));
}

function csvCell(value: string | undefined): string {
  if (value === undefined) return "";
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvHeader(schema: Schema): string {
  return schema.fields.map((f) => csvCell(f.name)).join(",");
}

function csvBatch(batch: RecordBatch, first: boolean): string {
  const cols = columns(batch);
  const lines: string[] = first ? [csvHeader(batch.schema)] : [];
  for (let i = 0; i < batch.numRows; i++) {
    lines.push(cols.map((c) => csvCell(text(c.vector, c.type, i))).join(","));
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** A JSON value: numbers stay numbers where they are exact, times are ISO strings. */
function jsonCell(vector: Vector, type: DataType, i: number): unknown {
  const value: unknown = vector.get(i);
  if (value === null || value === undefined) return null;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return isoTime(vector, type, i, value);
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "object") return JSON.parse(JSON.stringify(value, jsonValue));
  return value;
}

function jsonBatch(batch: RecordBatch, first: boolean): string {
  const cols = columns(batch);
  const rows: string[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const c of cols) row[c.name] = jsonCell(c.vector, c.type, i);
    rows.push(`  ${JSON.stringify(row)}`);
  }
  if (rows.length === 0) return "";
  return `${first ? "[\n" : ",\n"}${rows.join(",\n")}`;
}

/** A batch as aligned lines; the header before the first. Each batch is aligned on its own. */
function tableBatch(batch: RecordBatch, first: boolean): string {
  const cols = columns(batch);
  const numeric = (type: DataType) =>
    DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type);
  const rows: string[][] = [];
  for (let i = 0; i < batch.numRows; i++) {
    rows.push(cols.map((c) => text(c.vector, c.type, i) ?? "NULL"));
  }
  const lines = [
    ...renderTable(
      cols.map((c) => ({
        header: c.name,
        align: numeric(c.type) ? ("right" as const) : ("left" as const),
      })),
      rows,
      { header: first },
    ),
  ];
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** The format `--format` names; EINVAL for another. */
export function queryFormat(value: string | undefined): QueryFormat {
  const format = value ?? "table";
  if (!(QUERY_FORMATS as readonly string[]).includes(format)) {
    throw new PondError(
      "EINVAL",
      `--format is one of ${QUERY_FORMATS.join(", ")}, not ${JSON.stringify(format)}`,
    );
  }
  return format as QueryFormat;
}
