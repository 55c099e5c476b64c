// Arrow columns built straight from typed arrays, and IPC streams with an exact schema.

import {
  Binary,
  type Data,
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

function validity(
  length: number,
  isNull: (i: number) => boolean,
): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (isNull(i)) nulls++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap, nulls };
}

function variableWidth<T extends Utf8 | Binary>(
  type: T,
  values: ReadonlyArray<unknown>,
  valueOffsets: Int32Array,
  data: Uint8Array,
): Data<T> {
  const { bitmap, nulls } = validity(values.length, (i) => values[i] === null);
  const props = {
    length: values.length,
    nullCount: nulls,
    ...(nulls > 0 && { nullBitmap: bitmap }),
    valueOffsets,
    data,
  };
  return (type instanceof Utf8
    ? makeData({ type, ...props })
    : makeData({ type: type as Binary, ...props })) as unknown as Data<T>;
}

/** Strings encoded side by side into one buffer: no array per string. */
export function utf8Column(values: ReadonlyArray<string | null>): Data<Utf8> {
  let capacity = 0;
  for (const value of values) capacity += value === null ? 0 : value.length * 3;
  const bytes = Buffer.allocUnsafe(capacity);
  const offsets = new Int32Array(values.length + 1);
  let used = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value) used += bytes.write(value, used, "utf8");
    offsets[i + 1] = used;
  }
  return variableWidth(new Utf8(), values, offsets, bytes.subarray(0, used));
}

export function binaryColumn(values: ReadonlyArray<Uint8Array | null>): Data<Binary> {
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i]?.length ?? 0;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value) bytes.set(value, offsets[i] as number);
  }
  return variableWidth(new Binary(), values, offsets, bytes);
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
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i] ?? 0);
  const { bitmap, nulls } = validity(values.length, (i) => values[i] === null);
  return makeData({
    type: new Int64(),
    length: values.length,
    nullCount: nulls,
    ...(nulls > 0 && { nullBitmap: bitmap }),
    data,
  });
}

/** Microsecond UTC timestamps from epoch milliseconds. */
export function timestampColumn(millis: ReadonlyArray<number>): Data<Timestamp> {
  const data = new BigInt64Array(millis.length);
  for (let i = 0; i < millis.length; i++) data[i] = BigInt(millis[i] as number) * 1000n;
  return makeData({
    type: new Timestamp(TimeUnit.MICROSECOND, "UTC"),
    length: millis.length,
    nullCount: 0,
    data,
  });
}
