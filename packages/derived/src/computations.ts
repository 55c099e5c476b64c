// The computations every DerivedFileManager knows, one line each.

import type { DerivedComputation } from "./derived-computation.js";
import { downsample } from "./downsample-timeseries.js";
import { gaps } from "./gaps.js";
import { sqlDerived } from "./sql-derived.js";
import { temporalReduce } from "./temporal-reduce.js";
import { timeseriesJoin } from "./timeseries-join.js";
import { timeseriesPivot } from "./timeseries-pivot.js";

export const BUILT_IN_COMPUTATIONS: readonly DerivedComputation[] = [
  downsample,
  gaps,
  timeseriesJoin,
  timeseriesPivot,
  temporalReduce,
  sqlDerived,
];
