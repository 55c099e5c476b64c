// timeseries-join and timeseries-pivot compared with DuckDB's full outer join of the same Parquet
// files, on random series with nulls, duplicate times and different time units.

import { createMemoryFs } from "@pond/persistence-memory";
import { type FS, PondError } from "@pond/tinyfs";
import type { Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "./append-series-chunk.js";
import type { TimeUnit } from "./arrow-ffi.js";
import { DerivedFileManager } from "./derived-file-manager.js";
import { readParquet } from "./parquet-io.js";
import { type Oracle, openOracle } from "./testing/duckdb-oracle.js";
import { randomSeries, toParquet } from "./testing/fixtures.js";

let oracle: Oracle;
let fs: FS;
let manager: DerivedFileManager;

/** Each input: its unit and seeds, one chunk (a version of the series) per seed. */
const INPUTS: Array<{ path: string; unit: TimeUnit; seeds: number[] }> = [
  { path: "/a", unit: "s", seeds: [1, 2] },
  { path: "/b", unit: "s", seeds: [3] },
  { path: "/c", unit: "ms", seeds: [4, 5] },
  { path: "/d", unit: "us", seeds: [6] },
];
/** Per input, its chunks' files for DuckDB. */
const files: string[][] = [];

beforeAll(async () => {
  oracle = await openOracle();
  fs = await createMemoryFs();
  manager = new DerivedFileManager(fs);
  for (const [i, input] of INPUTS.entries()) {
    files.push([]);
    for (const seed of input.seeds) {
      // A short span: times of one input collide often, and with those of the other inputs.
      const table = randomSeries({
        rows: 300,
        unit: input.unit,
        seed,
        centerMs: 1.7e12,
        spanMs: 60_000,
      });
      const bytes = await toParquet(table);
      await appendSeriesChunk(fs, input.path, bytes);
      files[i]?.push(oracle.file(`${i}-${seed}.parquet`, bytes));
    }
  }
});

afterAll(async () => {
  await manager.close();
  await fs.close();
  oracle.close();
});

const NS_PER: Record<TimeUnit, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

/** DuckDB's rows of input i: the time in ns and its columns, the last row of each time kept. */
function inputSql(i: number): string {
  const unit = INPUTS[i]?.unit as TimeUnit;
  // A seconds timestamp is a plain BIGINT to DuckDB; the others are timestamps.
  const ns = unit === "s" ? "timestamp * 1000000000" : "epoch_us(timestamp) * 1000";
  const chunks = (files[i] as string[])
    .map((f, c) => `SELECT *, ${c} AS chunk FROM read_parquet('${f}', file_row_number = true)`)
    .join(" UNION ALL ");
  return `SELECT ${ns} AS t, value, i32, label FROM (${chunks}) WHERE timestamp IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY timestamp ORDER BY chunk DESC, file_row_number DESC) = 1`;
}

/** The full outer join of every input on time, in DuckDB. */
function joinSql(columns: (i: number) => string[]): string {
  const ctes = INPUTS.map((_, i) => `in${i} AS (${inputSql(i)})`).join(", ");
  let from = "in0";
  let time = "in0.t";
  for (let i = 1; i < INPUTS.length; i++) {
    from += ` FULL OUTER JOIN in${i} ON in${i}.t = ${time}`;
    time = `coalesce(${time}, in${i}.t)`;
  }
  const selected = INPUTS.flatMap((_, i) => columns(i)).join(", ");
  return `WITH ${ctes} SELECT ${time}::BIGINT AS t, ${selected} FROM ${from} ORDER BY t`;
}

/** pond's result as rows of plain values, the time in ns. */
function rowsOf(table: Table, unit: TimeUnit): Array<Record<string, unknown>> {
  const names = table.schema.fields.map((f) => f.name);
  const rows: Array<Record<string, unknown>> = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      const value = table.getChild(name)?.get(r) as unknown;
      row[name] = name === "timestamp" ? null : value;
    }
    rows.push(row);
  }
  // Arrow's get() gives a timestamp in ms; the exact value comes from the raw column.
  const times =
    table.getChild("timestamp")?.data.flatMap((d) => Array.from(d.values as BigInt64Array)) ?? [];
  times.forEach((t, r) => {
    (rows[r] as Record<string, unknown>).timestamp = Number(t) * NS_PER[unit];
  });
  return rows;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || a === b;
  return a === b || (a == null && b == null);
}

describe("timeseries-join", () => {
  it("equals DuckDB's full outer join on time, columns prefixed by scope", async () => {
    const scopes = ["north", "south", "east", "west"];
    const [file] = await manager.derive(
      "timeseries-join",
      INPUTS.map((i) => i.path),
      { scopes },
    );
    const table = await readParquet(file?.bytes as Uint8Array);
    expect(file?.attrs.timestampUnit).toBe("us");
    const expected = await oracle.query(
      joinSql((i) => ["value", "i32", "label"].map((c) => `in${i}.${c} AS "${scopes[i]}.${c}"`)),
    );
    const actual = rowsOf(table, "us");
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      "timestamp",
      ...scopes.flatMap((s) =>
        ["value", "f32", "i32", "i64", "sparse", "label"].map((c) => `${s}.${c}`),
      ),
    ]);
    expect(actual.length).toBe(expected.length);
    // Inputs share times: the join is not a mere union of rows.
    expect(actual.length).toBeLessThan(INPUTS.reduce((n, i) => n + i.seeds.length * 300, 0) * 0.9);
    for (const [r, row] of expected.entries()) {
      const mine = actual[r] as Record<string, unknown>;
      expect(mine.timestamp, `row ${r}`).toBe(Number(row.t));
      for (const [key, value] of Object.entries(row)) {
        if (key === "t") continue;
        expect(
          same(mine[key], value),
          `row ${r} ${key}: ${String(mine[key])} vs ${String(value)}`,
        ).toBe(true);
      }
    }
  });

  it("refuses scopes that do not name each input once", async () => {
    await expect(
      manager.derive("timeseries-join", ["/a", "/b"], { scopes: ["x"] }),
    ).rejects.toMatchObject({
      code: "EINVAL",
    });
    await expect(
      manager.derive("timeseries-join", ["/a", "/b"], { scopes: ["x", "x"] }),
    ).rejects.toSatisfy((e: unknown) => PondError.is(e, "EINVAL"));
  });
});

describe("timeseries-pivot", () => {
  it("equals DuckDB's join of one column per input, named per input", async () => {
    const names = ["a", "b", "c", "d"];
    const [file] = await manager.derive(
      "timeseries-pivot",
      INPUTS.map((i) => i.path),
      {
        column: "value",
        names,
      },
    );
    const table = await readParquet(file?.bytes as Uint8Array);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["timestamp", ...names]);
    const expected = await oracle.query(joinSql((i) => [`in${i}.value AS "${names[i]}"`]));
    const actual = rowsOf(table, "us");
    expect(actual.length).toBe(expected.length);
    for (const [r, row] of expected.entries()) {
      const mine = actual[r] as Record<string, unknown>;
      expect(mine.timestamp).toBe(Number(row.t));
      for (const name of names) expect(same(mine[name], row[name]), `row ${r} ${name}`).toBe(true);
    }
  });

  it("refuses a column an input does not have", async () => {
    await expect(
      manager.derive("timeseries-pivot", ["/a"], { column: "nope", names: ["a"] }),
    ).rejects.toMatchObject({ code: "EINVAL", path: "/a" });
  });
});
