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

const ISO =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** An ISO 8601 time in epoch nanoseconds, and how many fractional digits it has. */
export interface IsoTime {
  ns: bigint;
  digits: number;
}

/**
 * A strict ISO 8601 date or date-time: `2025-01-31`, `2025-01-31T12:00Z`,
 * `2025-01-31 12:00:00.123456+01:00`; without an offset it is UTC. Undefined for anything else,
 * an impossible date or time included.
 */
export function parseIsoTime(text: string): IsoTime | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const hours = Number(digits.slice(1, 3));
    const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (digits[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const seconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + (minute - offsetMinutes) * 60 + second;
  const ns = BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0") || "0");
  return { ns, digits: fraction.length };
}

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

export const NANOS_PER_UNIT: Record<TimeUnit, bigint> = {
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
  let ns: bigint;
  if (epochUnit && INT.test(text)) {
    const epoch = parseInt64(text);
    if (epoch === undefined) return `is out of range for timestamp[${unit}]`;
    ns = epoch * NANOS_PER_UNIT[epochUnit];
  } else {
    const time = parseIsoTime(text);
    if (!time) {
      return epochUnit
        ? `is neither ISO 8601 nor an integer epoch in ${epochUnit}`
        : "is not an ISO 8601 date or time";
    }
    ns = time.ns;
  }
  const per = NANOS_PER_UNIT[unit];
  if (ns % per !== 0n) return `is finer than timestamp[${unit}]`;
  const value = ns / per;
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
