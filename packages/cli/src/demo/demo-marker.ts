// Recognising a pond made by `pond demo`, so a second run may replace it and nothing else.

import type { CommitInfo } from "@pond/tinyfs";
import { holdsOnlyPond, withPond } from "../open-pond.js";
import type { PondLocation } from "../pond-location.js";

/** The commit metadata key every demo commit carries. */
export const DEMO_META_KEY = "pond.demo";
export const DEMO_META_VALUE = "1";

/** The chart the demo draws, beside the pond's table in its directory. */
export const DEMO_CHART = "week.svg";

/**
 * Whether `location` holds a pond whose first change was made by the demo, and
 * nothing else: what a later demo may remove.
 */
export async function isDemoPond(location: PondLocation): Promise<boolean> {
  if (!(await holdsOnlyPond(location, [DEMO_CHART]))) return false;
  const history = await withPond(location, { readOnly: true }, (fs) => fs.history()).catch(
    () => [] as CommitInfo[],
  );
  const first = history.find((c) => c.version > 0);
  return first?.meta?.[DEMO_META_KEY] === DEMO_META_VALUE;
}
