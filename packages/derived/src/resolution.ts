// Bucket widths: a number of milliseconds or a duration string such as "15m".

import { PondError, parseDuration } from "@pond/tinyfs";

/** A bucket width: a whole number of milliseconds, or `<n>ms`, `<n>s`, `<n>m`, `<n>h`, `<n>d`, `<n>w`. */
export type Resolution = number | string;

// Bucket starts are bucket × width in ms; widths up to 1,000 weeks leave them exact doubles.
const MAX_RESOLUTION_MS = 1_000 * 604_800_000;

/** The width of a resolution in milliseconds; EINVAL for anything but a positive whole duration. */
export function parseResolution(resolution: Resolution): number {
  let ms: number;
  if (typeof resolution === "number") {
    ms = resolution;
  } else if (typeof resolution === "string") {
    ms = parseDuration(resolution, "resolution");
  } else {
    throw new PondError("EINVAL", `invalid resolution ${String(resolution)}`);
  }
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_RESOLUTION_MS) {
    throw new PondError(
      "EINVAL",
      `invalid resolution ${String(resolution)}: a whole number of milliseconds from 1 to ${MAX_RESOLUTION_MS} is required`,
    );
  }
  return ms;
}
