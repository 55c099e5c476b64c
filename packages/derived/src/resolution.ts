// Bucket widths: a number of milliseconds or a duration string such as "15m".

import { PondError } from "@pond/tinyfs";

/** A bucket width: a whole number of milliseconds, or `<n>ms`, `<n>s`, `<n>m`, `<n>h`, `<n>d`, `<n>w`. */
export type Resolution = number | string;

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const satisfies Record<string, number>;

// Bucket starts are bucket × width in ms; keeping widths this small leaves them exact doubles.
const MAX_RESOLUTION_MS = 1_000 * UNIT_MS.w;

/** The width of a resolution in milliseconds; EINVAL for anything but a positive whole duration. */
export function parseResolution(resolution: Resolution): number {
  let ms: number;
  if (typeof resolution === "number") {
    ms = resolution;
  } else if (typeof resolution === "string") {
    const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(resolution.trim());
    if (!match) {
      throw new PondError(
        "EINVAL",
        `invalid resolution "${resolution}" (use e.g. 500ms, 30s, 1m, 15m, 1h, 1d, 1w)`,
      );
    }
    ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
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
