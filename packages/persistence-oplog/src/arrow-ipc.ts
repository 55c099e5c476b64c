// Arrow columns built straight from typed arrays, and IPC streams with an exact schema.

import {
  type Data,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  tableToIPC,
  Uint32,
  Utf8,
} from "apache-arrow";

/** One record batch of `columns` (in schema order) under exactly `schema`, as an IPC stream. */
export function ipcOf(schema: Schema, columns: readonly Data[], length: number): Uint8Array {
  const data = makeData({
    type: new Struct(schema.fields),
    length,
    nullCount: 0,
    children: [...columns],
  });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), "stream");
}

/** The validity bitmap of `values` (null is missing), built only when something is missing. */
function validity(values: ReadonlyArray<unknown>): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === null) nullCount++;
  if (nullCount === 0) return { nullCount };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { nullBitmap, nullCount };
}

function strings(
  values: ReadonlyArray<string | null>,
  valueOffsets: Int32Array,
  data: Uint8Array,
): Data<Utf8> {
  return makeData({
    type: new Utf8(),
    length: values.length,
    ...validity(values),
    valueOffsets,
    data,
  });
}

/** Strings side by side in one buffer, encoded in one call when they are all ASCII (ids, hashes). */
export function utf8Column(values: ReadonlyArray<string | null>): Data<Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let units = 0;
  for (let i = 0; i < values.length; i++) {
    units += values[i]?.length ?? 0;
    offsets[i + 1] = units;
  }
  // join() reads null as "". UTF-8 takes more bytes than UTF-16 units for anything but ASCII.
  const joined = Buffer.from(values.join(""), "utf8");
  if (joined.length === units) return strings(values, offsets, joined);
  // One by one: a UTF-16 unit takes at most 3 bytes (halves of a pair joined across values
  // would take fewer together than apart).
  const bytes = Buffer.allocUnsafe(units * 3);
  let used = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value) used += bytes.write(value, used, "utf8");
    offsets[i + 1] = used;
  }
  return strings(values, offsets, bytes.subarray(0, used));
}

export function int32Column(values: ReadonlyArray<number | null>): Data<Int32> {
  const data = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] ?? 0;
  return makeData({ type: new Int32(), length: values.length, ...validity(values), data });
}

export function uint32Column(values: ReadonlyArray<number>): Data<Uint32> {
  return makeData({
    type: new Uint32(),
    length: values.length,
    nullCount: 0,
    data: Uint32Array.from(values),
  });
}

export function int64Column(values: ReadonlyArray<number | null>): Data<Int64> {
  return makeData({
    type: new Int64(),
    length: values.length,
    ...validity(values),
    data: int64Data(values, 1),
  });
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TWO_TO_32 = 2 ** 32;

/** `values` × `scale` as int64s, written as two 32-bit words each: a BigInt per value is slow. */
function int64Data(values: ReadonlyArray<number | null>, scale: number): BigInt64Array {
  const data = new BigInt64Array(values.length);
  const words = new Int32Array(data.buffer);
  for (let i = 0; i < values.length; i++) {
    const value = (values[i] ?? 0) * scale;
    if (!LITTLE_ENDIAN || !Number.isSafeInteger(value)) {
      data[i] = BigInt(values[i] ?? 0) * BigInt(scale);
      continue;
    }
    const high = Math.floor(value / TWO_TO_32);
    words[2 * i] = value - high * TWO_TO_32;
    words[2 * i + 1] = high;
  }
  return data;
}

/** Microsecond UTC timestamps from epoch milliseconds. */
export function timestampColumn(millis: ReadonlyArray<number>): Data<Timestamp> {
  return makeData({
    type: new Timestamp(TimeUnit.MICROSECOND, "UTC"),
    length: millis.length,
    nullCount: 0,
    data: int64Data(millis, 1000),
  });
}
