// The kinds of dynamic node every DerivedFileManager knows, one line each.

import type { DynamicKind } from "./dynamic-kind.js";
import { temporalReduce } from "./temporal-reduce-kind.js";

export const BUILT_IN_KINDS: readonly DynamicKind[] = [temporalReduce as DynamicKind];
