// Downsampling, a derived computation: a Parquet table or a series to one or more resolutions.

import { PondError } from "@pond/tinyfs";
import type { DerivedComputation } from "./derived-computation.js";
import type { DerivedParams } from "./derived-key.js";
import { Downsampler } from "./downsampler.js";
import { writeParquet } from "./parquet-io.js";
import { parseResolution, type Resolution } from "./resolution.js";
import {
  type TimeseriesOptions,
  timeseriesParams,
  timeseriesSpec,
  visitTimeseries,
} from "./timeseries-input.js";

/** The computation's name: the directory of its results and part of every key. */
export const DOWNSAMPLE = "downsample";

/** Options of a downsampling request. */
export interface DownsampleOptions extends TimeseriesOptions {
  /** Only these numeric columns, in this order (default: all, in file order). */
  columns?: readonly string[];
}

/** A downsampling request: its resolutions (one result each) and options. */
export interface DownsampleRequest extends DownsampleOptions {
  resolutions: readonly Resolution[];
}

/**
 * Per epoch-aligned UTC bucket of each resolution, the min, max, mean and count
 * of every numeric column (see `DerivedFileManager.getDownsampledTimeseries`).
 * The input is read once for all resolutions asked for together.
 */
export const downsample: DerivedComputation = {
  name: DOWNSAMPLE,
  inputs: { min: 1, max: 1, entryTypes: ["file:data", "file:table", "file:series"] },

  parameters(options) {
    const request = options as DownsampleRequest;
    if (request.resolutions.length === 0) throw new PondError("EINVAL", "no resolution given");
    const widths = request.resolutions.map(parseResolution);
    const shared = timeseriesParams(request);
    const columns = request.columns === undefined ? undefined : [...request.columns];
    if (columns?.some((c) => typeof c !== "string")) {
      throw new PondError("EINVAL", "columns must be column names");
    }
    return widths.map((resolutionMs) => ({ resolutionMs, ...shared, columns }));
  },

  async compute({ inputs, params, counters }) {
    const input = inputs[0] as NonNullable<(typeof inputs)[0]>;
    // One request's results differ only in their resolution.
    const first = params[0] as DerivedParams;
    const spec = timeseriesSpec(first);
    const columns = first.columns as string[] | undefined;
    const resolutionsMs = params.map((p) => p.resolutionMs as number);
    const downsampler = new Downsampler(resolutionsMs, { ...spec, columns });
    await visitTimeseries(
      input,
      spec,
      counters,
      (table, hints) => downsampler.add(table, hints, input.path),
      (fields, hints) => downsampler.columnsNeeded(fields, hints, input.path),
    );
    const contents = [];
    for (const [i, table] of downsampler.results().entries()) {
      contents.push({
        data: await writeParquet(table),
        extension: ".parquet",
        entryType: "file:table" as const,
        attrs: {
          timestampColumn: "timestamp",
          timestampUnit: "ms",
          resolutionMs: String(resolutionsMs[i]),
        },
      });
    }
    return contents;
  },
};
