// The column types CSV text is read as, how a type is inferred from values, and the values' parsing.

import { PondError } from "@pond/tinyfs";
import type { TimeUnit } from "./arrow-ffi.js";

/**
 * A CSV column's type. A timestamp is an Arrow timestamp in UTC with the given unit; its text is
 * ISO 8601 (a time without an offset is UTC) or, for a timestamp given in a schema, an integer
 * epoch in the schema's unit.
 */
export type CsvType =
  | "int64"
  | "float64"
  | "boolean"
  | "string"
  | "timestamp[s]"
  | "timestamp[ms]"
  | "timestamp[us]"
  | "timestamp[ns]";

/** Column types by name, for the columns whose type is not to be inferred. */
export type CsvSchema = Readonly<Record<string, CsvType>>;

const TYPES: readonly CsvType[] = [
  "int64",
  "float64",
  "boolean",
  "string",
  "timestamp[s]",
  "timestamp[ms]",
  "timestamp[us]",
  "timestamp[ns]",
];

/** Names accepted for a type besides its own. */
const ALIASES: Record<string, CsvType> = {
  timestamp: "timestamp[us]",
  int: "int64",
  float: "float64",
  double: "float64",
  bool: "boolean",
};

/** A type's name as given, or EINVAL. */
export function parseCsvType(name: string, what: string): CsvType {
  const lower = name.trim().toLowerCase();
  const type = ALIASES[lower] ?? TYPES.find((t) => t === lower);
  if (type) return type;
  throw new PondError(
    "EINVAL",
    `unknown type "${name}" for ${what} (use ${TYPES.join(", ")}; timestamp means timestamp[us])`,
  );
}

/** `NAME:TYPE,NAME:TYPE...`, e.g. `time:timestamp[s],temp:float64`; EINVAL for anything else. */
export function parseCsvSchema(text: string): CsvSchema {
  const schema: Record<string, CsvType> = {};
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const colon = item.lastIndexOf(":");
    const name = colon < 0 ? "" : item.slice(0, colon).trim();
    if (name === "") {
      throw new PondError("EINVAL", `schema item "${item.trim()}" is not NAME:TYPE`);
    }
    if (Object.hasOwn(schema, name)) {
      throw new PondError("EINVAL", `column "${name}" is given twice in the schema`);
    }
    schema[name] = parseCsvType(item.slice(colon + 1), `column "${name}"`);
  }
  return schema;
}

/** The unit of a timestamp type, undefined for the other types. */
export function timestampUnit(type: CsvType): TimeUnit | undefined {
  return type.startsWith("timestamp[") ? (type.slice(10, -1) as TimeUnit) : undefined;
}

/** The CSV type of an Arrow C Data Interface format string, for the formats CSV is written as. */
export function csvTypeOfFormat(format: string): CsvType | undefined {
  const simple: Record<string, CsvType> = { l: "int64", g: "float64", b: "boolean", u: "string" };
  if (simple[format]) return simple[format];
  const units: Record<string, TimeUnit> = { s: "s", m: "ms", u: "us", n: "ns" };
  const unit =
    format.length === 7 && format.endsWith(":UTC") ? units[format[2] as string] : undefined;
  return format.startsWith("ts") && unit ? `timestamp[${unit}]` : undefined;
}

/** The Arrow C Data Interface format string a type is written as. */
export function formatOf(type: CsvType): string {
  const unit = timestampUnit(type);
  if (unit) return `ts${unit[0]}:UTC`;
  return { int64: "l", float64: "g", boolean: "b", string: "u" }[type as "int64"];
}

const INT = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A 64-bit integer, or undefined for text that is none. */
export function parseInt64(text: string): bigint | undefined {
  if (!INT.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOATS: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};

/** A decimal number (`1`, `-2.5`, `.5`, `1e-3`, `NaN`, `inf`), or undefined. */
export function parseFloat64(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  return text.length <= 9 ? SPECIAL_FLOATS[text.toLowerCase()] : undefined;
}

/** `true` or `false` in any case, or undefined. */
export function parseBoolean(text: string): boolean | undefined {
  if (text.length === 4 && text.toLowerCase() === "true") return true;
  if (text.length === 5 && text.toLowerCase() === "false") return false;
  return undefined;
}

/** An ISO 8601 time: epoch seconds, nanoseconds within the second, and its fractional digits. */
export interface IsoTime {
  seconds: number;
  nanos: number;
  digits: number;
}

/**
 * A strict ISO 8601 date or date-time: `2025-01-31`, `2025-01-31T12:00Z`,
 * `2025-01-31 12:00:00.123456+01:00` (seconds and a fraction of up to 9 digits optional, a
 * comma allowed for the point, offsets as `Z`, `+01`, `+0100` or `+01:00`); without an offset it
 * is UTC. Undefined for anything else, an impossible date or time included. Read character by
 * character: it runs once or twice per value of a timestamp column.
 */
export function parseIsoTime(text: string): IsoTime | undefined {
  const length = text.length;
  if (length < 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  let seconds = daysFromCivil(year, month, day) * 86_400;
  let nanos = 0;
  let fraction = 0;
  let i = 10;
  if (i < length) {
    const t = text.charCodeAt(i);
    if (t !== 0x54 && t !== 0x74 && t !== 0x20) return undefined; // T, t or a space
    const hour = digits(text, i + 1, 2);
    const minute = text.charCodeAt(i + 3) === COLON ? digits(text, i + 4, 2) : -1;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
    seconds += hour * 3600 + minute * 60;
    i += 6;
    if (text.charCodeAt(i) === COLON) {
      const second = digits(text, i + 1, 2);
      if (second < 0 || second > 59) return undefined;
      seconds += second;
      i += 3;
      const point = text.charCodeAt(i);
      if (point === 0x2e || point === 0x2c) {
        i++;
        while (i < length && fraction < 9) {
          const d = text.charCodeAt(i) - 0x30;
          if (d < 0 || d > 9) break;
          nanos = nanos * 10 + d;
          fraction++;
          i++;
        }
        if (fraction === 0) return undefined;
        for (let k = fraction; k < 9; k++) nanos *= 10;
      }
    }
    if (i < length) {
      const zone = text.charCodeAt(i);
      if (zone === 0x5a || zone === 0x7a) {
        i++; // Z
      } else if (zone === 0x2b || zone === DASH) {
        const hours = digits(text, i + 1, 2);
        let minutes = 0;
        i += 3;
        if (i < length) {
          if (text.charCodeAt(i) === COLON) i++;
          minutes = digits(text, i, 2);
          i += 2;
        }
        if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
        seconds -= (zone === DASH ? -1 : 1) * (hours * 3600 + minutes * 60);
      }
    }
  }
  return i === length ? { seconds, nanos, digits: fraction } : undefined;
}

const DASH = 0x2d;
const COLON = 0x3a;

/** The number written by `count` decimal digits at `at`, or -1. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** An ISO time in `unit`; undefined when it is finer than the unit. */
export function isoTimeIn(time: IsoTime, unit: TimeUnit): bigint | undefined {
  const per = NANOS_PER_UNIT_NUMBER[unit];
  if (time.nanos % per !== 0) return undefined;
  const perSecond = 1e9 / per;
  const value = time.seconds * perSecond + time.nanos / per;
  // Exact in a double up to 2^53: nine thousand years of seconds, 285 of microseconds.
  if (Number.isSafeInteger(value)) return BigInt(value);
  return BigInt(time.seconds) * BigInt(perSecond) + BigInt(time.nanos / per);
}

/** Whether `a` is earlier than `b`. */
export function isoBefore(a: IsoTime, b: IsoTime): boolean {
  return a.seconds < b.seconds || (a.seconds === b.seconds && a.nanos < b.nanos);
}

const NANOS_PER_UNIT_NUMBER: Record<TimeUnit, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const NANOS_PER_UNIT: Record<TimeUnit, bigint> = {
  s: 1_000_000_000n,
  ms: 1_000_000n,
  us: 1_000n,
  ns: 1n,
};

/**
 * A timestamp in `unit`: ISO 8601, or with `epochUnit`, also an integer epoch in that unit. A
 * string for text that is no such time, or a time finer than `unit` (kept exact, never truncated).
 */
export function parseTimestamp(
  text: string,
  unit: TimeUnit,
  epochUnit: TimeUnit | undefined,
): bigint | string {
  let value: bigint | undefined;
  if (epochUnit && INT.test(text)) {
    const epoch = parseInt64(text);
    if (epoch === undefined) return `is out of range for timestamp[${unit}]`;
    const ns = epoch * NANOS_PER_UNIT[epochUnit];
    const per = NANOS_PER_UNIT[unit];
    value = ns % per === 0n ? ns / per : undefined;
  } else {
    const time = parseIsoTime(text);
    if (!time) {
      return epochUnit
        ? `is neither ISO 8601 nor an integer epoch in ${epochUnit}`
        : "is not an ISO 8601 date or time";
    }
    value = isoTimeIn(time, unit);
  }
  if (value === undefined) return `is finer than timestamp[${unit}]`;
  return value < INT64_MIN || value > INT64_MAX ? `is out of range for timestamp[${unit}]` : value;
}

/** The type a value alone suggests (never called for an empty field). */
export function typeOfValue(text: string): CsvType {
  if (parseBoolean(text) !== undefined) return "boolean";
  if (parseInt64(text) !== undefined) return "int64";
  if (parseFloat64(text) !== undefined) return "float64";
  const time = parseIsoTime(text);
  if (time) return time.digits > 6 ? "timestamp[ns]" : "timestamp[us]";
  return "string";
}

/** The narrowest type holding values of both types. */
export function widen(a: CsvType, b: CsvType): CsvType {
  if (a === b) return a;
  const numbers = new Set<CsvType>(["int64", "float64"]);
  if (numbers.has(a) && numbers.has(b)) return "float64";
  if (timestampUnit(a) && timestampUnit(b)) {
    return a === "timestamp[ns]" || b === "timestamp[ns]" ? "timestamp[ns]" : "timestamp[us]";
  }
  return "string";
}
