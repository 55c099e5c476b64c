// Test data: small timeseries chunks as Parquet.

import { writeParquet } from "@pond/derived";
import { makeData, makeVector, Table, TimestampMillisecond, type Vector } from "apache-arrow";

/**
 * `rows` readings `stepMs` apart from `startMs`: timestamp (ms, UTC) and value = row index, then
 * the `columns` given (which may replace value).
 */
export function seriesChunk(
  startMs: number,
  rows: number,
  stepMs: number,
  columns: Record<string, Vector> = {},
): Promise<Uint8Array> {
  const times = new BigInt64Array(rows);
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    times[i] = BigInt(startMs + i * stepMs);
    values[i] = i;
  }
  const type = new TimestampMillisecond("UTC");
  const timestamp: Vector = makeVector(makeData({ type, length: rows, data: times } as never));
  return writeParquet(new Table({ timestamp, value: makeVector(values), ...columns }));
}
