// Which chunks of a series a time-range read must open.

import type { NodeMetadata } from "@pond/tinyfs";
import { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_UNIT_ATTR } from "./append-series-chunk.js";
import type { TimeUnit } from "./arrow-ffi.js";
import type { MillisRange } from "./time-range.js";
import { TIME_UNITS, unitsPerMillisecond } from "./timestamp-column.js";

/**
 * False only when the chunk's recorded time range proves it has no row in
 * `range`. A chunk without a recorded range or unit, or recorded for another
 * time column than `timestampColumn` (when given), may overlap.
 */
export function chunkMayOverlap(
  chunk: NodeMetadata,
  range: MillisRange,
  timestampColumn?: string,
): boolean {
  if (range.startMs === undefined && range.endMs === undefined) return true;
  const { minEventTime: min, maxEventTime: max, attrs } = chunk;
  const unit = attrs?.[TIMESTAMP_UNIT_ATTR];
  if (
    min === undefined ||
    max === undefined ||
    !(TIME_UNITS as readonly string[]).includes(unit ?? "")
  ) {
    return true;
  }
  if (timestampColumn !== undefined && attrs?.[TIMESTAMP_COLUMN_ATTR] !== timestampColumn)
    return true;
  const per = unitsPerMillisecond(unit as TimeUnit);
  // A millisecond of slack each side: the bounds are doubles and the division rounds.
  const minMs = Math.floor(min / per) - 1;
  const maxMs = Math.ceil(max / per) + 1;
  if (range.startMs !== undefined && maxMs < range.startMs) return false;
  if (range.endMs !== undefined && minMs >= range.endMs) return false;
  return true;
}
