// Zero-copy views of Arrow columns that parquet-wasm exports through the Arrow C Data Interface.
//
// Going through IPC would copy every column twice (into an IPC buffer, then out of
// wasm memory); reading the C structs in wasm memory gives typed-array views instead.
// Only flat fixed-width columns are viewed: that is all downsampling reads.

/** A column's type as far as pond's computations care. */
export type ColumnKind =
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float16"
  | "float32"
  | "float64"
  | "timestamp"
  | "other";

/** A time unit of an Arrow timestamp or of an integer epoch column. */
export type TimeUnit = "s" | "ms" | "us" | "ns";

export interface FieldInfo {
  name: string;
  /** The C Data Interface format string, e.g. `g` or `tsu:UTC`. */
  format: string;
  kind: ColumnKind;
  /** For timestamps. */
  unit?: TimeUnit;
  timezone?: string;
}

/** One column of one record batch, valid only until parquet-wasm is called again. */
export interface ColumnView {
  length: number;
  /** Index of the batch's first element in `values` and in the validity bitmap. */
  offset: number;
  nullCount: number;
  /** LSB-first validity bits, or null when every value is valid. */
  validity: Uint8Array | null;
  /**
   * The data buffer: a typed array of the column's type; for 64-bit integers and
   * timestamps an Int32Array of little-endian (low, high) word pairs, so that no
   * BigInt is made per value; for float16 the raw Uint16Array. Undefined for "other".
   */
  values:
    | Float64Array
    | Float32Array
    | Int32Array
    | Uint32Array
    | Int16Array
    | Uint16Array
    | Int8Array
    | Uint8Array
    | undefined;
}

export interface BatchView {
  length: number;
  /** In field order. */
  columns: ColumnView[];
}

export interface TableView {
  fields: FieldInfo[];
  batches: BatchView[];
}

/** The numeric column kinds by their Arrow C Data Interface format string. */
export const FORMAT_KINDS: Record<string, ColumnKind> = {
  c: "int8",
  C: "uint8",
  s: "int16",
  S: "uint16",
  i: "int32",
  I: "uint32",
  l: "int64",
  L: "uint64",
  e: "float16",
  f: "float32",
  g: "float64",
};

const TIMESTAMP_UNITS: Record<string, TimeUnit> = { s: "s", m: "ms", u: "us", n: "ns" };

type ViewConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor;

const VIEWS: Record<Exclude<ColumnKind, "other">, { view: ViewConstructor; perValue: number }> = {
  int8: { view: Int8Array, perValue: 1 },
  uint8: { view: Uint8Array, perValue: 1 },
  int16: { view: Int16Array, perValue: 1 },
  uint16: { view: Uint16Array, perValue: 1 },
  int32: { view: Int32Array, perValue: 1 },
  uint32: { view: Uint32Array, perValue: 1 },
  int64: { view: Int32Array, perValue: 2 },
  uint64: { view: Int32Array, perValue: 2 },
  timestamp: { view: Int32Array, perValue: 2 },
  float16: { view: Uint16Array, perValue: 1 },
  float32: { view: Float32Array, perValue: 1 },
  float64: { view: Float64Array, perValue: 1 },
};

// Struct layouts for wasm32: pointers are 4 bytes, int64 fields 8-byte aligned.
const SCHEMA = { format: 0, name: 4, nChildren: 24, children: 32, dictionary: 36 };
const ARRAY = {
  length: 0,
  nullCount: 8,
  offset: 16,
  nBuffers: 24,
  nChildren: 32,
  buffers: 40,
  children: 44,
  dictionary: 48,
};

/**
 * Views of a table exported by parquet-wasm's `Table.intoFFI()`: `schemaAddr`
 * points at a struct schema whose children are the columns, each of
 * `arrayAddrs` at a struct array (one record batch).
 */
export function viewFfiTable(
  memory: { readonly buffer: ArrayBuffer },
  schemaAddr: number,
  arrayAddrs: ArrayLike<number>,
): TableView {
  const buffer = memory.buffer;
  const mem = new DataView(buffer);
  const fields = viewFfiSchema(memory, schemaAddr);
  const batches: BatchView[] = [];
  for (let b = 0; b < arrayAddrs.length; b++) {
    const array = arrayAddrs[b] as number;
    const length = readInt64(mem, array + ARRAY.length);
    const children = mem.getUint32(array + ARRAY.children, true);
    const columns: ColumnView[] = [];
    for (let f = 0; f < fields.length; f++) {
      const child = mem.getUint32(children + 4 * f, true);
      columns.push(viewColumn(buffer, mem, child, (fields[f] as FieldInfo).kind));
    }
    batches.push({ length, columns });
  }
  return { fields, batches };
}

/** The fields of a struct schema (a table's schema) exported through the C Data Interface. */
export function viewFfiSchema(
  memory: { readonly buffer: ArrayBuffer },
  schemaAddr: number,
): FieldInfo[] {
  const mem = new DataView(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const nFields = readInt64(mem, schemaAddr + SCHEMA.nChildren);
  const childSchemas = mem.getUint32(schemaAddr + SCHEMA.children, true);
  const fields: FieldInfo[] = [];
  for (let f = 0; f < nFields; f++) {
    const child = mem.getUint32(childSchemas + 4 * f, true);
    const format = readCString(bytes, mem.getUint32(child + SCHEMA.format, true));
    const name = readCString(bytes, mem.getUint32(child + SCHEMA.name, true));
    const isDictionary = mem.getUint32(child + SCHEMA.dictionary, true) !== 0;
    fields.push(describe(name, isDictionary ? "dictionary" : format));
  }
  return fields;
}

function describe(name: string, format: string): FieldInfo {
  const kind = FORMAT_KINDS[format];
  if (kind) return { name, format, kind };
  // Timestamps are "ts" + unit letter + ":" + time zone (possibly empty).
  if (format.length >= 4 && format.startsWith("ts") && format[3] === ":") {
    const unit = TIMESTAMP_UNITS[format[2] as string];
    if (unit) {
      const timezone = format.slice(4);
      return { name, format, kind: "timestamp", unit, ...(timezone && { timezone }) };
    }
  }
  return { name, format, kind: "other" };
}

function viewColumn(
  buffer: ArrayBuffer,
  mem: DataView,
  array: number,
  kind: ColumnKind,
): ColumnView {
  const length = readInt64(mem, array + ARRAY.length);
  const offset = readInt64(mem, array + ARRAY.offset);
  const rawNullCount = readInt64(mem, array + ARRAY.nullCount);
  const buffers = mem.getUint32(array + ARRAY.buffers, true);
  const validityAddr = mem.getUint32(buffers, true);
  // A null count of -1 means "not computed": trust the bitmap then.
  const hasValidity = validityAddr !== 0 && rawNullCount !== 0;
  const column: ColumnView = {
    length,
    offset,
    nullCount: rawNullCount < 0 ? length : rawNullCount,
    validity: hasValidity
      ? new Uint8Array(buffer, validityAddr, (offset + length + 7) >>> 3)
      : null,
    values: undefined,
  };
  if (kind === "other") return column;
  const { view, perValue } = VIEWS[kind];
  const dataAddr = mem.getUint32(buffers + 4, true);
  const count = (offset + length) * perValue;
  if (dataAddr === 0 || count === 0) {
    column.values = new view(0);
  } else if (dataAddr % view.BYTES_PER_ELEMENT === 0) {
    column.values = new view(buffer, dataAddr, count);
  } else {
    // Arrow buffers are normally 64-byte aligned; copy the rare one that is not.
    const copy = new Uint8Array(buffer, dataAddr, count * view.BYTES_PER_ELEMENT).slice();
    column.values = new view(copy.buffer, 0, count);
  }
  return column;
}

// Lengths and offsets fit in 53 bits; reading halves avoids a BigInt per struct field.
function readInt64(mem: DataView, addr: number): number {
  return mem.getInt32(addr + 4, true) * 4294967296 + mem.getUint32(addr, true);
}

const decoder = new TextDecoder();

function readCString(bytes: Uint8Array, addr: number): string {
  if (addr === 0) return "";
  let end = addr;
  while (bytes[end] !== 0) end++;
  return decoder.decode(bytes.subarray(addr, end));
}
