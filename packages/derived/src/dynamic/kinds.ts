// The kinds of dynamic node every DerivedFileManager knows, one line each.

import { timeseriesJoinKind, timeseriesPivotKind } from "./aligned-kinds.js";
import type { DynamicKind } from "./dynamic-kind.js";
import { sqlDerivedSeriesKind, sqlDerivedTableKind } from "./sql-derived-kind.js";
import { temporalReduceKind } from "./temporal-reduce-kind.js";

// Each kind's config type is its own; the registry holds them as kinds of unknown config.
export const BUILT_IN_KINDS: readonly DynamicKind[] = [
  temporalReduceKind as DynamicKind,
  timeseriesJoinKind as DynamicKind,
  timeseriesPivotKind as DynamicKind,
  sqlDerivedTableKind as DynamicKind,
  sqlDerivedSeriesKind as DynamicKind,
];
