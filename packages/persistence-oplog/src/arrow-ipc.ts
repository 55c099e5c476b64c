// Building Arrow IPC streams with an exact schema (nullability included).

import {
  type Data,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  type Vector,
  makeData,
  tableToIPC,
  vectorFromArray,
} from "apache-arrow";

/** One record batch of `columns` (in schema order) under exactly `schema`, as an IPC stream. */
export function ipcOf(schema: Schema, columns: readonly Vector[], length: number): Uint8Array {
  const children = columns.map((column) => {
    const whole = column.data.length === 1 ? column : vectorFromArray([...column], column.type);
    return whole.data[0] as Data;
  });
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), "stream");
}
