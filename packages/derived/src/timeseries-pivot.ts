// timeseries-pivot, a derived computation: one column of many series side by side on time.

import { PondError } from "@pond/tinyfs";
import { alignSeries } from "./aligned-series.js";
import type { DerivedComputation } from "./derived-computation.js";
import { type TimeseriesOptions, timeseriesParams, timeseriesSpec } from "./timeseries-input.js";

export const TIMESERIES_PIVOT = "timeseries-pivot";

export interface TimeseriesPivotOptions extends TimeseriesOptions {
  /** The column taken from every input. */
  column: string;
  /** One per input, in input order: the name of its column in the output. */
  names: readonly string[];
}

/**
 * One Parquet table of every time any input has (see `alignSeries`: duplicates, units) with
 * `column` of each input beside it under that input's name, null where it has no row.
 */
export const timeseriesPivot: DerivedComputation = {
  name: TIMESERIES_PIVOT,
  inputs: { min: 1, max: 1000, entryTypes: ["file:data", "file:table", "file:series"] },

  parameters(options) {
    const request = options as TimeseriesPivotOptions;
    if (typeof request?.column !== "string" || request.column === "") {
      throw new PondError("EINVAL", "column must name a column");
    }
    const names = request.names;
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || n === "")) {
      throw new PondError("EINVAL", "names must be a list of names, one per input");
    }
    return [{ column: request.column, names: [...names], ...timeseriesParams(request) }];
  },

  async compute({ inputs, params, counters }) {
    const p = params[0] as { column: string; names: string[] };
    if (p.names.length !== inputs.length) {
      throw new PondError(
        "EINVAL",
        `${inputs.length} inputs need ${inputs.length} names, not ${p.names.length}`,
      );
    }
    const spec = timeseriesSpec(params[0] as never);
    const content = await alignSeries(inputs, spec, counters, (_columns, i) => [
      [p.column, p.names[i] as string],
    ]);
    return [content];
  },
};
