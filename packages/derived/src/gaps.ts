// Gaps, a derived computation: where a time series has no rows for longer than a given span.

import { PondError } from "@pond/tinyfs";
import { Int64, makeData, makeVector, Table, TimestampMillisecond } from "apache-arrow";
import type { ColumnView } from "./arrow-ffi.js";
import type { DerivedComputation } from "./derived-computation.js";
import { writeParquet } from "./parquet-io.js";
import { parseResolution, type Resolution } from "./resolution.js";
import {
  type TimeseriesOptions,
  timeseriesParams,
  timeseriesSpec,
  visitTimeseries,
} from "./timeseries-input.js";
import { findTimestampColumn, toEpochMillis } from "./timestamp-column.js";

/** Options of a gaps request. */
export interface GapsOptions extends TimeseriesOptions {
  /** The shortest span between two consecutive rows' times that is reported, exclusive. */
  longerThan: Resolution;
}

/**
 * The outages of a Parquet table or a series (all its chunks, in any order):
 * every pair of consecutive distinct row times (whole epoch milliseconds, null
 * times left out) more than `longerThan` apart, as a Parquet file with `start`
 * (the last time before the gap) and `end` (the first after), both Timestamp
 * milliseconds UTC, and `duration_ms` (int64), sorted by `start`. Within a
 * `range`, only rows in it count, and a series' chunks outside it are not read.
 */
export const gaps: DerivedComputation = {
  name: "gaps",
  inputs: { min: 1, max: 1, entryTypes: ["file:data", "file:table", "file:series"] },

  parameters(options) {
    const request = (options ?? {}) as GapsOptions;
    if (request.longerThan === undefined) throw new PondError("EINVAL", "longerThan is required");
    return [{ longerThanMs: parseResolution(request.longerThan), ...timeseriesParams(request) }];
  },

  async compute({ inputs, params, counters }) {
    const input = inputs[0] as NonNullable<(typeof inputs)[0]>;
    const contents = [];
    for (const p of params) {
      const spec = timeseriesSpec(p);
      const times = new TimeList();
      await visitTimeseries(
        input,
        spec,
        counters,
        (table, hints) => {
          const time = findTimestampColumn(table.fields, hints, input.path);
          for (const batch of table.batches) {
            const ms = new Float64Array(batch.length);
            toEpochMillis(
              batch.columns[time.index] as ColumnView,
              time,
              ms,
              spec.startMs,
              spec.endMs,
            );
            times.add(ms);
          }
        },
        (fields, hints) => {
          const time = findTimestampColumn(fields, hints, input.path);
          return [(fields[time.index] as { name: string }).name];
        },
      );
      const table = gapTable(times.sorted(), p.longerThanMs as number);
      contents.push({
        data: await writeParquet(table),
        extension: ".parquet",
        entryType: "file:table" as const,
      });
    }
    return contents;
  },
};

/** Row times as whole epoch milliseconds, NaN (null or out of range) left out. */
class TimeList {
  private values = new Float64Array(1024);
  private length = 0;

  add(ms: Float64Array): void {
    if (this.length + ms.length > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, this.length + ms.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    for (const t of ms) if (!Number.isNaN(t)) this.values[this.length++] = t;
  }

  sorted(): Float64Array {
    return this.values.subarray(0, this.length).sort();
  }
}

function gapTable(times: Float64Array, longerThanMs: number): Table {
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  for (let i = 1; i < times.length; i++) {
    const before = times[i - 1] as number;
    const after = times[i] as number;
    if (after - before > longerThanMs) {
      starts.push(BigInt(before));
      ends.push(BigInt(after));
    }
  }
  const data = (values: bigint[]) => BigInt64Array.from(values);
  const time = (values: bigint[]) =>
    makeVector(
      makeData({
        type: new TimestampMillisecond("UTC"),
        length: values.length,
        nullCount: 0,
        data: data(values),
      }),
    );
  return new Table({
    start: time(starts),
    end: time(ends),
    duration_ms: makeVector(
      makeData({
        type: new Int64(),
        length: starts.length,
        nullCount: 0,
        data: data(starts.map((s, i) => (ends[i] as bigint) - s)),
      }),
    ),
  });
}
