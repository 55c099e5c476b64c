// timeseries-join, a derived computation: several series joined on time, full outer, each
// input's columns prefixed by its scope.

import { PondError } from "@pond/tinyfs";
import { alignSeries } from "./aligned-series.js";
import type { DerivedComputation } from "./derived-computation.js";
import { type TimeseriesOptions, timeseriesParams, timeseriesSpec } from "./timeseries-input.js";

export const TIMESERIES_JOIN = "timeseries-join";

export interface TimeseriesJoinOptions extends TimeseriesOptions {
  /** One per input, in input order: its columns are named `<scope>.<column>`. */
  scopes: readonly string[];
}

/**
 * One Parquet table of every time any input has (see `alignSeries`: duplicates, units) with
 * every column of each input beside it as `<scope>.<column>`, null where that input has no row.
 */
export const timeseriesJoin: DerivedComputation = {
  name: TIMESERIES_JOIN,
  inputs: { min: 1, max: 1000, entryTypes: ["file:data", "file:table", "file:series"] },

  parameters(options) {
    const request = options as TimeseriesJoinOptions;
    const scopes = request?.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string" || s === "")) {
      throw new PondError("EINVAL", "scopes must be a list of names, one per input");
    }
    if (new Set(scopes).size !== scopes.length) {
      throw new PondError("EINVAL", "scopes must be distinct");
    }
    return [{ scopes: [...scopes], ...timeseriesParams(request) }];
  },

  async compute({ inputs, params, counters }) {
    const p = params[0] as { scopes: string[] };
    if (p.scopes.length !== inputs.length) {
      throw new PondError(
        "EINVAL",
        `${inputs.length} inputs need ${inputs.length} scopes, not ${p.scopes.length}`,
      );
    }
    const spec = timeseriesSpec(params[0] as never);
    const content = await alignSeries(inputs, spec, counters, (columns, i) => {
      const scope = p.scopes[i] as string;
      return columns.map((c) => [c, `${scope}.${c}`]);
    });
    return [content];
  },
};
