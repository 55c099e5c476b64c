// Turning option values into typed values; a malformed value is a usage error.

import { UsageError } from "./errors.js";
import type { PondAt } from "./open-pond.js";

/**
 * `--at V`: a pond version (a whole number), or a time meaning the newest version by then:
 * ISO 8601 as pond prints times, `2025-01-31`, `2025-01-31T12:00Z`, `2025-01-31 12:00:00.5+01:00`
 * (UTC when no offset is given). Anything else, a negative number included, is a usage error.
 */
export function parseAt(value: string | undefined, command: string): PondAt | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return { version: wholeNumber(value, "--at", command) };
  const time = parseIsoTime(value);
  if (time === undefined) {
    throw new UsageError(
      `--at needs a version number or a time such as 2025-01-31T12:00:00Z, not '${value}'`,
      command,
    );
  }
  return { asOf: time };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A strict ISO 8601 date or date-time; undefined for anything else, an impossible date included. */
function parseIsoTime(value: string): Date | undefined {
  const m = ISO_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", sec = "0", fraction = "", zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, sec].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (zone && m[4] === undefined) return undefined; // an offset belongs to a time of day
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years below 100 as 19xx
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day) return undefined; // 2025-02-30
  let offset = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return undefined;
    offset = (digits[0] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return new Date(date.getTime() - offset);
}

/** A whole number ≥ `min` given to `option`. */
export function parseWholeNumber(
  value: string | undefined,
  option: string,
  command: string,
  min = 0,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`${option} needs a whole number, not '${value}'`, command);
  }
  const n = wholeNumber(value, option, command);
  if (n < min) throw new UsageError(`${option} must be at least ${min}`, command);
  return n;
}

function wholeNumber(value: string, option: string, command: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option} is too large: ${value}`, command);
  return n;
}
