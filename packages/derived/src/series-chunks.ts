// Which chunks of a series a time-range read must open.

import type { NodeMetadata } from "@pond/tinyfs";
import { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_UNIT_ATTR } from "./append-series-chunk.js";
import type { MillisRange } from "./time-range.js";
import { TIME_UNITS } from "./timestamp-column.js";

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
  // The recorded bounds are whole milliseconds, rounded outwards.
  if (range.startMs !== undefined && max < range.startMs) return false;
  if (range.endMs !== undefined && min >= range.endMs) return false;
  return true;
}
