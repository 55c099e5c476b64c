// Time ranges of downsampling requests: half-open, in epoch milliseconds.

import { PondError } from "@pond/tinyfs";

/** `[start, end)`; either side may be left open. Numbers are epoch milliseconds. */
export interface TimeRange {
  start?: number | Date | undefined;
  end?: number | Date | undefined;
}

/** A validated range: whole epoch milliseconds, undefined for an open side. */
export interface MillisRange {
  startMs?: number;
  endMs?: number;
}

/** EINVAL for a bound that is not a whole millisecond, and for an empty range. */
export function parseTimeRange(range: TimeRange | undefined): MillisRange {
  if (range === undefined) return {};
  const startMs = bound(range.start, "start");
  const endMs = bound(range.end, "end");
  if (startMs !== undefined && endMs !== undefined && startMs >= endMs) {
    throw new PondError("EINVAL", `empty time range: start ${startMs} is not before end ${endMs}`);
  }
  return {
    ...(startMs !== undefined && { startMs }),
    ...(endMs !== undefined && { endMs }),
  };
}

function bound(value: number | Date | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms)) {
    throw new PondError(
      "EINVAL",
      `range.${name} must be a Date or a whole number of epoch milliseconds`,
    );
  }
  return ms;
}
