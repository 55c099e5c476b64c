// Durations written as text: "500ms", "30s", "15m", "1h", "30d", "2w".

import { PondError } from "./errors.js";

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const satisfies Record<string, number>;

/** Milliseconds in `<n><unit>` (units ms, s, m, h, d, w); EINVAL for anything else. */
export function parseDuration(text: string, what = "duration"): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) {
    throw new PondError(
      "EINVAL",
      `invalid ${what} "${text}" (use e.g. 500ms, 30s, 15m, 1h, 30d, 2w)`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
