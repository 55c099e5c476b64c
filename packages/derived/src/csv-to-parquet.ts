// CSV text to a Parquet file, streamed: one pass decides the column types, a second writes.

import { PondError } from "@pond/tinyfs";
import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Utf8,
} from "apache-arrow";
import type { TimeUnit } from "./arrow-ffi.js";
import { CsvParser } from "./csv-parser.js";
import {
  type CsvSchema,
  type CsvType,
  type IsoTime,
  isoBefore,
  isoTimeIn,
  parseBoolean,
  parseFloat64,
  parseInt64,
  parseIsoTime,
  parseTimestamp,
  timestampUnit,
  typeOfValue,
  widen,
} from "./csv-types.js";
import { writeParquetStream } from "./parquet-io.js";

/**
 * Values per Arrow batch handed to the Parquet writer, and per Parquet row group (what the writer
 * holds before it writes them out): counted in values, not rows, so that a wide file takes no
 * more memory than a narrow one. Six columns make batches of 16 Ki rows, row groups of 256 Ki.
 */
const BATCH_VALUES = 96 * 1024;
const ROW_GROUP_VALUES = 1536 * 1024;

/** Rows per batch and per row group for `columns` columns. */
function csvBatchRows(columns: number): { batch: number; rowGroup: number } {
  const batch = Math.max(64, Math.min(16_384, Math.floor(BATCH_VALUES / columns)));
  const rowGroup = Math.max(batch, Math.min(262_144, Math.floor(ROW_GROUP_VALUES / columns)));
  return { batch, rowGroup };
}
/** Characters of a value quoted in a message. */
const QUOTED_CHARS = 40;

export interface CsvOptions {
  /** The file's name in messages (`NAME:LINE:COLUMN`); default `csv`. */
  name?: string;
  /** Types of some or all columns; the others are inferred from their values. */
  schema?: CsvSchema;
  /** Types of columns the text may have (a series' columns): taken when the header names them. */
  knownTypes?: CsvSchema;
}

export interface CsvColumn {
  name: string;
  type: CsvType;
}

/** The smallest and largest value of an int64 or timestamp column (in the timestamp's unit). */
export interface CsvBounds {
  min: bigint;
  max: bigint;
}

/** A CSV file read once: its columns, rows and bounds, and the Parquet file it becomes. */
export interface CsvParquet {
  columns: readonly CsvColumn[];
  rows: number;
  /** Bounds of the int64 and timestamp columns that hold a value. */
  bounds: ReadonlyMap<string, CsvBounds>;
  /**
   * The Parquet file's bytes (Snappy-compressed, in row groups of 1.5 Mi values), made from a
   * second read of the text as they are consumed. EINVAL if the text is not what the first read
   * saw (the file changed in between).
   */
  parquet(): AsyncIterable<Uint8Array>;
}

/**
 * Reads CSV text (UTF-8, a header row naming the columns, RFC 4180 quoting) and decides each
 * column's type: the schema's, else a known type, else the narrowest that holds every value:
 * boolean (`true`, `false`), int64, float64, timestamp (ISO 8601; timestamp[ns] when a value has
 * more than 6 fractional digits of seconds, else timestamp[us]), else string. An empty field is
 * null; a column with no value is string. A schema's timestamp column also takes integer epochs
 * in its unit; it is written in a known timestamp type's unit if there is one, else in its own
 * (seconds as milliseconds). `open` is called once per read, so the text is never held whole.
 * EINVAL, as `NAME:LINE:COLUMN: ...` naming the column and the value, for a value that does not
 * fit its schema type, a row with another number of fields than the header, malformed quoting or
 * text that is not UTF-8; EINVAL too for a missing or malformed header.
 */
export async function csvToParquet(
  open: () => AsyncIterable<Uint8Array>,
  options: CsvOptions = {},
): Promise<CsvParquet> {
  const name = options.name ?? "csv";
  const schema = options.schema ?? {};
  /** The types not to infer: the schema's, and the known types of the columns the text has. */
  const given: Record<string, CsvType> = {};
  /** The units of integer epochs, for the schema's timestamp columns. */
  const epochUnits: Record<string, TimeUnit> = {};
  let scans: ColumnScan[] | undefined;
  let rows = 0;
  const parser: CsvParser = new CsvParser(name, (fields) => {
    if (!scans) {
      const names = header(parser, fields, schema, name);
      for (const column of names) {
        const known = options.knownTypes?.[column];
        const type = Object.hasOwn(schema, column) ? schema[column] : undefined;
        if (type) {
          const epochUnit = timestampUnit(type);
          if (epochUnit) epochUnits[column] = epochUnit;
          given[column] = storedType(type, known);
        } else if (known) {
          given[column] = known;
        }
      }
      scans = names.map((column) => new ColumnScan(column, given, epochUnits[column]));
      return;
    }
    checkWidth(parser, fields, scans);
    for (let i = 0; i < fields.length; i++) {
      const text = fields[i] as string;
      if (text === "") continue;
      const scan = scans[i] as ColumnScan;
      const error = scan.observe(text);
      if (error) throw badValue(parser, i, scan.name, text, error);
    }
    rows++;
  });
  await readText(open(), name, parser);
  if (!scans)
    throw new PondError("EINVAL", `${name}: empty: a header row naming the columns is needed`);
  const columns = scans.map((scan) => ({ name: scan.name, type: scan.finalType() }));
  const bounds = new Map<string, CsvBounds>();
  for (const scan of scans) {
    const b = scan.finalBounds();
    if (b) bounds.set(scan.name, b);
  }
  return {
    columns,
    rows,
    bounds,
    // The second read: batches of rows into the streaming Parquet writer.
    parquet: () => {
      const sizes = csvBatchRows(columns.length);
      const batches = csvBatches(open, name, epochUnits, columns, rows, bounds, sizes.batch);
      return writeParquetStream(batches, { rowGroupRows: sizes.rowGroup, dictionary: true });
    },
  };
}

/**
 * The type a schema's timestamp column is written as: a series' own timestamp type when it has
 * one (the schema's unit then only says what integers mean), else the schema's, seconds as
 * milliseconds (Parquet has no unit for seconds: other readers would see plain integers).
 */
function storedType(type: CsvType, known: CsvType | undefined): CsvType {
  if (!timestampUnit(type)) return type;
  if (known && timestampUnit(known)) return known;
  return type === "timestamp[s]" ? "timestamp[ms]" : type;
}

/** Feeds the text of `chunks` to `parser`; EINVAL for bytes that are not UTF-8. */
async function readText(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  parser: CsvParser,
): Promise<void> {
  const decode = utf8Decoder(name);
  for await (const chunk of chunks) parser.push(decode(chunk));
  parser.push(decode());
  parser.end();
}

/** Decodes UTF-8 piece by piece (`undefined` ends the text); EINVAL for bytes that are not. */
function utf8Decoder(name: string): (chunk?: Uint8Array) => string {
  // A leading byte order mark is dropped by the decoder.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let bytes = 0;
  return (chunk) => {
    try {
      const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
      bytes += chunk?.length ?? 0;
      return text;
    } catch (cause) {
      throw new PondError("EINVAL", `${name}: not UTF-8 text (after byte ${bytes})`, { cause });
    }
  };
}

/** The column names of the header row; EINVAL for an empty or repeated one. */
function header(
  parser: CsvParser,
  fields: readonly string[],
  schema: CsvSchema,
  name: string,
): string[] {
  const names = [...fields];
  const seen = new Set<string>();
  for (const [i, column] of names.entries()) {
    if (column === "") {
      throw new PondError(
        "EINVAL",
        `${parser.where(i)}: column ${i + 1} of the header has no name`,
      );
    }
    if (seen.has(column)) {
      throw new PondError(
        "EINVAL",
        `${parser.where(i)}: column "${column}" is named twice in the header`,
      );
    }
    seen.add(column);
  }
  for (const column of Object.keys(schema)) {
    if (!seen.has(column)) {
      throw new PondError(
        "EINVAL",
        `${name}: the schema names column "${column}", which the header (${names.join(",")}) lacks`,
      );
    }
  }
  return names;
}

function checkWidth(parser: CsvParser, fields: readonly string[], columns: readonly unknown[]) {
  if (fields.length === columns.length) return;
  const at = Math.min(fields.length, columns.length + 1) - 1;
  throw new PondError(
    "EINVAL",
    `${parser.where(at)}: ${fields.length} fields where the header has ${columns.length}`,
  );
}

function badValue(
  parser: CsvParser,
  index: number,
  column: string,
  text: string,
  detail: string,
): PondError {
  const shown = text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text;
  return new PondError(
    "EINVAL",
    `${parser.where(index)}: column "${column}": ${JSON.stringify(shown)} ${detail}`,
  );
}

/** What the first read learns of one column. */
class ColumnScan {
  /** The schema's type, or the type inferred so far (undefined: only nulls seen). */
  private type: CsvType | undefined;
  private readonly given: boolean;
  /** Bounds of int64 values and of timestamps of a given type. */
  private min: bigint | undefined;
  private max: bigint | undefined;
  /** Bounds of inferred timestamps, whose unit is known only at the end. */
  private minTime: IsoTime | undefined;
  private maxTime: IsoTime | undefined;

  constructor(
    readonly name: string,
    given: CsvSchema,
    /** The unit of integer epochs: for timestamp columns of the schema. */
    private readonly epochUnit: TimeUnit | undefined,
  ) {
    this.type = Object.hasOwn(given, name) ? given[name] : undefined;
    this.given = this.type !== undefined;
  }

  /** Takes a non-empty value: undefined if it fits, else why not (only for a given type). */
  observe(text: string): string | undefined {
    if (this.type === "string") return undefined;
    if (this.given) {
      const value = convert(this.type as CsvType, text, this.epochUnit);
      if (typeof value === "string") return value;
      if (typeof value === "bigint") this.bound(value);
      return undefined;
    }
    switch (this.type) {
      case "int64": {
        const value = parseInt64(text);
        if (value !== undefined) return this.bound(value);
        break;
      }
      case "float64":
        if (parseFloat64(text) !== undefined) return undefined;
        break;
      case "boolean":
        if (parseBoolean(text) !== undefined) return undefined;
        break;
      case "timestamp[us]":
      case "timestamp[ns]": {
        const time = parseIsoTime(text);
        if (time) {
          if (time.digits > 6) this.type = "timestamp[ns]";
          return this.boundTime(time);
        }
        break;
      }
      case undefined:
        break;
    }
    const own = typeOfValue(text);
    this.type = this.type === undefined ? own : widen(this.type, own);
    if (this.type === own && own === "int64") this.bound(parseInt64(text) as bigint);
    if (this.type === own && timestampUnit(own)) this.boundTime(parseIsoTime(text) as IsoTime);
    return undefined;
  }

  private boundTime(time: IsoTime): undefined {
    if (!this.minTime || isoBefore(time, this.minTime)) this.minTime = time;
    if (!this.maxTime || isoBefore(this.maxTime, time)) this.maxTime = time;
    return undefined;
  }

  private bound(value: bigint): undefined {
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
    return undefined;
  }

  finalType(): CsvType {
    return this.type ?? "string";
  }

  finalBounds(): CsvBounds | undefined {
    const type = this.finalType();
    const unit = timestampUnit(type);
    if (type !== "int64" && !unit) return undefined;
    if (this.minTime && this.maxTime && unit) {
      // Every value fits the unit inferred: it is the finest of theirs.
      const min = isoTimeIn(this.minTime, unit) as bigint;
      return { min, max: isoTimeIn(this.maxTime, unit) as bigint };
    }
    if (this.min === undefined || this.max === undefined) return undefined;
    return { min: this.min, max: this.max };
  }
}

/**
 * A non-empty value of `type`, or why the text is none. A timestamp is in its unit; with
 * `epochUnit`, a timestamp column also takes integers as epochs in that unit.
 */
function convert(
  type: CsvType,
  text: string,
  epochUnit: TimeUnit | undefined,
): bigint | number | boolean | string {
  switch (type) {
    case "int64":
      return parseInt64(text) ?? "is not a 64-bit integer";
    case "float64":
      return parseFloat64(text) ?? "is not a number";
    case "boolean":
      return parseBoolean(text) ?? "is not true or false";
    case "string":
      return text;
    default:
      return parseTimestamp(text, timestampUnit(type) as TimeUnit, epochUnit);
  }
}

/** One column of the batch being built. */
class ColumnBuilder {
  private readonly values: BigInt64Array | Float64Array | Uint8Array | string[];
  private readonly validity: Uint8Array;
  private nulls = 0;
  min: bigint | undefined;
  max: bigint | undefined;

  constructor(
    readonly column: CsvColumn,
    /** The unit of integer epochs: for timestamp columns of the schema. */
    private readonly epochUnit: TimeUnit | undefined,
    rows: number,
  ) {
    const { type } = column;
    this.validity = new Uint8Array(Math.ceil(rows / 8));
    if (type === "float64") this.values = new Float64Array(rows);
    else if (type === "boolean") this.values = new Uint8Array(Math.ceil(rows / 8));
    else if (type === "string") this.values = [];
    else this.values = new BigInt64Array(rows);
  }

  /** Sets row `row` from `text`; why not, if the text does not fit. */
  set(row: number, text: string): string | undefined {
    if (text === "") {
      this.nulls++;
      if (this.column.type === "string") (this.values as string[])[row] = "";
      return undefined;
    }
    const value = convert(this.column.type, text, this.epochUnit);
    switch (typeof value) {
      case "bigint":
        (this.values as BigInt64Array)[row] = value;
        if (this.min === undefined || value < this.min) this.min = value;
        if (this.max === undefined || value > this.max) this.max = value;
        break;
      case "number":
        (this.values as Float64Array)[row] = value;
        break;
      case "boolean":
        if (value) setBit(this.values as Uint8Array, row);
        break;
      case "string":
        if (this.column.type !== "string") return value;
        (this.values as string[])[row] = value;
        break;
    }
    setBit(this.validity, row);
    return undefined;
  }

  /** The first `length` rows as Arrow data; the builder is empty again. */
  take(length: number) {
    const type = arrowType(this.column.type);
    const nullCount = this.nulls;
    const nullBitmap = nullCount > 0 ? this.validity.slice(0, (length + 7) >>> 3) : undefined;
    this.validity.fill(0);
    this.nulls = 0;
    const base = { type, length, nullCount, ...(nullBitmap && { nullBitmap }) };
    const values = this.values;
    if (Array.isArray(values)) {
      const { offsets, bytes } = utf8(values, length);
      values.length = 0;
      return makeData({ ...base, type: type as Utf8, valueOffsets: offsets, data: bytes });
    }
    if (values instanceof Uint8Array) {
      // Booleans are set bit by bit: clear them for the next batch.
      const data = values.slice(0, (length + 7) >>> 3);
      values.fill(0);
      return makeData({ ...base, data } as never);
    }
    const data = values.slice(0, length);
    return makeData({ ...base, data } as never);
  }
}

function setBit(bits: Uint8Array, index: number): void {
  bits[index >>> 3] = (bits[index >>> 3] as number) | (1 << (index & 7));
}

const encoder = new TextEncoder();

/** Strings as Arrow Utf8 offsets and bytes. */
function utf8(values: readonly string[], length: number) {
  const offsets = new Int32Array(length + 1);
  let bytes = new Uint8Array(length * 16);
  let at = 0;
  for (let i = 0; i < length; i++) {
    const text = values[i] ?? "";
    // Three bytes per UTF-16 unit at most.
    if (at + text.length * 3 > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, at + text.length * 3));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    at += encoder.encodeInto(text, bytes.subarray(at)).written;
    offsets[i + 1] = at;
  }
  return { offsets, bytes: bytes.subarray(0, at) };
}

function arrowType(type: CsvType): DataType {
  switch (type) {
    case "int64":
      return new Int64();
    case "float64":
      return new Float64();
    case "boolean":
      return new Bool();
    case "string":
      return new Utf8();
    case "timestamp[s]":
      return new TimestampSecond("UTC");
    case "timestamp[ms]":
      return new TimestampMillisecond("UTC");
    case "timestamp[us]":
      return new TimestampMicrosecond("UTC");
    case "timestamp[ns]":
      return new TimestampNanosecond("UTC");
  }
}

/** The rows as Arrow IPC batches of `batchRows`; EINVAL when the file is not what the first read saw. */
async function* csvBatches(
  open: () => AsyncIterable<Uint8Array>,
  name: string,
  epochUnits: Readonly<Record<string, TimeUnit>>,
  columns: readonly CsvColumn[],
  rows: number,
  bounds: ReadonlyMap<string, CsvBounds>,
  batchRows: number,
): AsyncGenerator<Uint8Array> {
  const arrowSchema = new Schema(columns.map((c) => new Field(c.name, arrowType(c.type), true)));
  const builders = columns.map((c) => new ColumnBuilder(c, epochUnits[c.name], batchRows));
  const ready: Uint8Array[] = [];
  let pending = 0;
  let written = 0;
  let headerSeen = false;
  const changed = () =>
    new PondError("EINVAL", `${name}: the file changed while it was read; nothing was written`);
  const flush = (evenEmpty = false) => {
    if (pending === 0 && !evenEmpty) return;
    const data = builders.map((b) => b.take(pending));
    const batch = new RecordBatch(
      arrowSchema,
      makeData({ type: new Struct(arrowSchema.fields), length: pending, children: data }),
    );
    ready.push(RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
    written += pending;
    pending = 0;
  };
  const parser: CsvParser = new CsvParser(name, (fields) => {
    if (!headerSeen) {
      headerSeen = true;
      if (fields.join(",") !== columns.map((c) => c.name).join(",")) throw changed();
      return;
    }
    checkWidth(parser, fields, columns);
    for (let i = 0; i < fields.length; i++) {
      const text = fields[i] as string;
      const error = (builders[i] as ColumnBuilder).set(pending, text);
      if (error) throw badValue(parser, i, (columns[i] as CsvColumn).name, text, error);
    }
    if (++pending === batchRows) flush();
  });
  const decode = utf8Decoder(name);
  for await (const piece of open()) {
    parser.push(decode(piece));
    yield* ready.splice(0);
  }
  parser.push(decode());
  parser.end();
  flush(written === 0); // the writer takes the schema from the first batch
  if (written !== rows) throw changed();
  for (const b of builders) {
    const known = bounds.get(b.column.name);
    if (b.min !== undefined && (b.min !== known?.min || b.max !== known?.max)) throw changed();
  }
  yield* ready.splice(0);
}
