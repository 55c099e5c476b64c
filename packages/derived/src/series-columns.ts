// The columns of a series: the union of its versions' columns, each name with one type, recorded
// with every version so that a chunk that does not fit is refused before it is written.

import { PondError } from "@pond/tinyfs";
import { type FieldInfo, FORMAT_KINDS } from "./arrow-ffi.js";

/** The attrs key holding a series' columns: JSON of `[name, Arrow C format][]`. */
export const SERIES_COLUMNS_ATTR = "columns";

/** Column names and their types (Arrow C Data Interface format strings), in first-seen order. */
export type SeriesColumns = Array<[name: string, format: string]>;

export function columnsOf(fields: readonly FieldInfo[]): SeriesColumns {
  return fields.map((f) => [f.name, f.format]);
}

/** The columns recorded in a version's attrs; undefined when none are (or they are unreadable). */
export function recordedColumns(
  attrs: Record<string, string> | undefined,
): SeriesColumns | undefined {
  const value = attrs?.[SERIES_COLUMNS_ATTR];
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (c) =>
          Array.isArray(c) &&
          c.length === 2 &&
          typeof c[0] === "string" &&
          typeof c[1] === "string",
      );
    return valid ? (parsed as SeriesColumns) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `existing` with the columns of `chunk` it lacks added at the end. EINVAL, naming the column and
 * both types, when a name has another type in `chunk` than in `existing`: the versions of a series
 * must be readable as one table.
 */
export function unionColumns(
  existing: SeriesColumns,
  chunk: SeriesColumns,
  path: string,
): SeriesColumns {
  const types = new Map(existing);
  const union = [...existing];
  for (const [name, format] of chunk) {
    const known = types.get(name);
    if (known === undefined) {
      types.set(name, format);
      union.push([name, format]);
    } else if (known !== format) {
      throw new PondError(
        "EINVAL",
        `column "${name}" is ${typeName(format)} in this chunk but ${typeName(known)} in the series`,
        { path },
      );
    }
  }
  return union;
}

const TYPE_NAMES: Record<string, string> = {
  ...FORMAT_KINDS,
  n: "null",
  b: "bool",
  z: "binary",
  Z: "large binary",
  u: "utf8",
  U: "large utf8",
  tdD: "date32",
  tdm: "date64",
};

const UNITS: Record<string, string> = { s: "s", m: "ms", u: "us", n: "ns" };

/** A type as people read it: `float64`, `timestamp[ms, UTC]`, else the format string itself. */
function typeName(format: string): string {
  const named = TYPE_NAMES[format];
  if (named) return named;
  const unit =
    format.startsWith("ts") && format[3] === ":" ? UNITS[format[2] as string] : undefined;
  if (unit) return `timestamp[${unit}${format.length > 4 ? `, ${format.slice(4)}` : ""}]`;
  return `of format ${JSON.stringify(format)}`;
}
