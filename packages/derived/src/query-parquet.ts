// A query's result as Parquet, written as its batches come: `pond query --format parquet` and the
// sql-derived computation write it this one way.

import { type RecordBatch, RecordBatchStreamWriter, Table } from "apache-arrow";
import { writeParquet, writeParquetStream } from "./parquet-io.js";

/**
 * Parquet written as the batches come. A streamed file takes its columns from its first batch, and
 * the writer makes nothing of a batch of no rows: a result without rows is written as a table.
 */
export async function* queryParquet(run: AsyncIterable<RecordBatch>): AsyncGenerator<Uint8Array> {
  const batches = run[Symbol.asyncIterator]();
  let first = await batches.next();
  while (!first.done && first.value.numRows === 0) {
    const next = await batches.next();
    if (next.done) {
      yield await writeParquet(new Table(first.value.schema));
      return;
    }
    first = next;
  }
  if (first.done) {
    yield await writeParquet(new Table());
    return;
  }
  const start = first.value;
  async function* ipc(): AsyncGenerator<Uint8Array> {
    yield RecordBatchStreamWriter.writeAll([start]).toUint8Array(true);
    for (let next = await batches.next(); !next.done; next = await batches.next()) {
      if (next.value.numRows > 0) {
        yield RecordBatchStreamWriter.writeAll([next.value]).toUint8Array(true);
      }
    }
  }
  yield* writeParquetStream(ipc());
}
