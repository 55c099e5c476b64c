// Turning option values into typed values; a malformed value is a usage error.

import { UsageError } from "./errors.js";
import type { PondAt } from "./open-pond.js";

/** `--at V`: a pond version number, or a time (ISO 8601) meaning the newest version by then. */
export function parseAt(value: string | undefined, command: string): PondAt | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return { version: wholeNumber(value, "--at", command) };
  const time = Date.parse(value);
  if (value.trim() === "" || Number.isNaN(time)) {
    throw new UsageError(
      `--at needs a version number or a time such as 2025-01-31T12:00:00Z, not '${value}'`,
      command,
    );
  }
  return { asOf: new Date(time) };
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
