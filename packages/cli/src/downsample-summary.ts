// Reading a downsampled result back for people: its buckets, time span and first rows.

import type { DerivedFile } from "@pond/derived";
import type { Table } from "apache-arrow";
import { loadDerived } from "./derived.js";
import { renderTable } from "./output/table.js";
import { formatTime } from "./output/units.js";

/** One resolution's result, summarised. */
export interface DownsampleSummary {
  resolution: string;
  resolutionMs: number;
  buckets: number;
  /** Start of the first and last bucket, epoch ms. */
  first: number | null;
  last: number | null;
  /** The source columns that were aggregated. */
  columns: string[];
  bytes: number;
  /** The first rows, when asked for: bucket start and every aggregate. */
  rows?: Array<Record<string, number | null>>;
}

const TIME = "timestamp";
const STATS = [".min", ".max", ".avg", ".count"];

/** The summary of a result; `head` first rows included when it is above zero. */
export async function summarise(
  resolution: string,
  file: DerivedFile,
  head: number,
): Promise<DownsampleSummary> {
  const { readParquet } = await loadDerived();
  const table = await readParquet(file.bytes, file.path);
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.filter((n) => n.endsWith(".avg")).map((n) => n.slice(0, -".avg".length));
  const time = table.getChild(TIME);
  const at = (i: number) => (time && table.numRows > i ? Number(time.get(i)) : null);
  const summary: DownsampleSummary = {
    resolution,
    resolutionMs: Number(file.params.resolutionMs),
    buckets: table.numRows,
    first: at(0),
    last: at(table.numRows - 1),
    columns,
    bytes: file.size,
  };
  if (head > 0) summary.rows = firstRows(table, names, head);
  return summary;
}

function firstRows(
  table: Table,
  names: string[],
  head: number,
): Array<Record<string, number | null>> {
  const rows: Array<Record<string, number | null>> = [];
  const kept = names.filter((n) => n === TIME || STATS.some((s) => n.endsWith(s)));
  for (let i = 0; i < Math.min(head, table.numRows); i++) {
    const row: Record<string, number | null> = {};
    for (const name of kept) {
      const value = table.getChild(name)?.get(i);
      row[name] = value === null || value === undefined ? null : Number(value);
    }
    rows.push(row);
  }
  return rows;
}

/** The table of resolutions: buckets, time span, columns and size. */
export function renderSummaries(summaries: readonly DownsampleSummary[]): Iterable<string> {
  return renderTable(
    [
      { header: "RESOLUTION" },
      { header: "BUCKETS", align: "right" },
      { header: "FIRST (UTC)" },
      { header: "LAST (UTC)" },
      { header: "BYTES", align: "right" },
      { header: "COLUMNS" },
    ],
    summaries.map((s) => [
      s.resolution,
      String(s.buckets),
      s.first === null ? "-" : formatTime(s.first),
      s.last === null ? "-" : formatTime(s.last),
      String(s.bytes),
      s.columns.join(", "),
    ]),
  );
}

/** A summary's first rows: bucket start, count, and min / avg / max of each column. */
export function renderRows(summary: DownsampleSummary, indent = "  "): Iterable<string> {
  const rows = summary.rows ?? [];
  const [firstColumn] = summary.columns;
  const cell = (v: number | null | undefined) =>
    v === null || v === undefined ? "-" : v.toFixed(2);
  return renderTable(
    [
      { header: "BUCKET (UTC)" },
      { header: "COUNT", align: "right" },
      ...summary.columns.map((c) => ({ header: `${c} min / avg / max`, align: "right" as const })),
    ],
    rows.map((row) => [
      formatTime(row[TIME] ?? Number.NaN),
      firstColumn === undefined ? "-" : String(row[`${firstColumn}.count`] ?? "-"),
      ...summary.columns.map(
        (c) => `${cell(row[`${c}.min`])} / ${cell(row[`${c}.avg`])} / ${cell(row[`${c}.max`])}`,
      ),
    ]),
    { indent },
  );
}
