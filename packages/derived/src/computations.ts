// The computations every DerivedFileManager knows, one line each.

import type { DerivedComputation } from "./derived-computation.js";
import { downsample } from "./downsample-timeseries.js";
import { gaps } from "./gaps.js";
import { temporalReduce } from "./temporal-reduce.js";

export const BUILT_IN_COMPUTATIONS: readonly DerivedComputation[] = [
  downsample,
  gaps,
  temporalReduce,
];
