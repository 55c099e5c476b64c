// Every downsampled value compared with DuckDB's GROUP BY over the same Parquet file.

import { createMemoryFs } from "@pond/persistence-memory";
import type { FS } from "@pond/tinyfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TimeUnit } from "./arrow-ffi.js";
import { DerivedFileManager } from "./derived-file-manager.js";
import { parseResolution } from "./resolution.js";
import {
  type Oracle,
  type OracleColumn,
  openOracle,
  oracleSql,
  pondSql,
} from "./testing/duckdb-oracle.js";
import { everyNumericType, randomSeries, toParquet } from "./testing/fixtures.js";

const COLUMNS: OracleColumn[] = [
  { name: "value", float: true },
  { name: "f32", float: true },
  { name: "i32", float: false },
  { name: "i64", float: false },
  { name: "sparse", float: true },
];

let oracle: Oracle;
let fs: FS;
let manager: DerivedFileManager;

beforeAll(async () => {
  oracle = await openOracle();
  fs = await createMemoryFs();
  manager = new DerivedFileManager(fs);
});

afterAll(async () => {
  await manager.close();
  await fs.close();
  oracle.close();
});

/** Compares pond's result file with the oracle's rows, value by value. */
async function expectMatchesOracle(
  source: string,
  result: Uint8Array,
  resolutionMs: number,
  name: string,
  range: { startMs?: number; endMs?: number } = {},
  unit?: TimeUnit,
  columns: OracleColumn[] = COLUMNS,
): Promise<number> {
  const pondPath = oracle.file(`${name}.pond.parquet`, result);
  // Seconds reach DuckDB as a plain BIGINT (Parquet has no seconds unit).
  const epochNs = unit === "s" ? `"timestamp" * 1000000000` : undefined;
  const expected = await oracle.query(
    oracleSql(source, "timestamp", resolutionMs, columns, range, epochNs),
  );
  const actual = await oracle.query(pondSql(pondPath, columns));
  expect(actual.length).toBe(expected.length);
  // Mismatches are collected, not asserted one by one: there are tens of thousands of values.
  const mismatches: string[] = [];
  const check = (ok: boolean, what: string, got: unknown, want: unknown) => {
    if (!ok && mismatches.length < 20)
      mismatches.push(`${what}: pond ${String(got)}, DuckDB ${String(want)}`);
  };
  for (let r = 0; r < expected.length; r++) {
    const want = expected[r] as Record<string, unknown>;
    const got = actual[r] as Record<string, unknown>;
    check(got.bucket === want.bucket, `bucket of row ${r}`, got.bucket, want.bucket);
    for (const { name: c } of columns) {
      const where = `${c} in bucket ${String(want.bucket)}`;
      for (const stat of ["count", "min", "max"]) {
        const key = `${c}.${stat}`;
        check(Object.is(got[key], want[key]), `${stat} of ${where}`, got[key], want[key]);
      }
      const avg = want[`${c}.avg`] as number | null;
      const mine = got[`${c}.avg`] as number | null;
      const scale = want[`${c}.scale`] as number;
      const close =
        avg === null ? mine === null : mine !== null && Math.abs(mine - avg) <= 1e-12 * scale;
      check(close, `avg of ${where}`, mine, avg);
    }
  }
  expect(mismatches).toEqual([]);
  return expected.length;
}

const UNITS: TimeUnit[] = ["s", "ms", "us", "ns"];
const RESOLUTIONS = [1, 7, "1s", "1m", "15m", "1h", "1d", 1000 * 3600 * 24 * 7 + 13];

describe("downsampling matches DuckDB", () => {
  for (const unit of UNITS) {
    it(`timestamps in ${unit}, around 1970 (negative times), ${RESOLUTIONS.length} resolutions in one pass`, async () => {
      const path = `/around-epoch-${unit}.parquet`;
      // DuckDB reads UTC nanoseconds only to the microsecond: give it naive ones.
      const timezone = unit === "ns" ? null : "UTC";
      const bytes = await toParquet(
        randomSeries({ rows: 6000, unit, seed: 7 + unit.length, timezone }),
      );
      await fs.root().writeFile(path, bytes, { entryType: "file:table" });
      const source = oracle.file(`around-epoch-${unit}.parquet`, bytes);
      const files = await manager.getDownsampledTimeseries(path, RESOLUTIONS);
      let buckets = 0;
      for (const [i, file] of files.entries()) {
        const width = parseResolution(RESOLUTIONS[i] as number | string);
        buckets += await expectMatchesOracle(
          source,
          file.bytes,
          width,
          `epoch-${unit}-${i}`,
          {},
          unit,
        );
      }
      expect(buckets).toBeGreaterThan(100);
    });

    it(`timestamps in ${unit}, in 2024, with a time range`, async () => {
      const path = `/recent-${unit}.parquet`;
      const centerMs = Date.UTC(2024, 1, 29, 12);
      const bytes = await toParquet(
        randomSeries({
          rows: 4000,
          unit,
          seed: 99,
          centerMs,
          spanMs: 2 * 3_600_000,
          timezone: null,
        }),
      );
      await fs.root().writeFile(path, bytes, { entryType: "file:table" });
      const source = oracle.file(`recent-${unit}.parquet`, bytes);
      for (const resolution of ["1s", "1m", "15m"]) {
        const width = parseResolution(resolution);
        const whole = await manager.getDownsampledTimeseries(path, resolution);
        await expectMatchesOracle(
          source,
          whole.bytes,
          width,
          `recent-${unit}-${resolution}`,
          {},
          unit,
        );
        const range = { startMs: centerMs - 1_234_567, endMs: centerMs + 2_345_678 };
        const part = await manager.getDownsampledTimeseries(path, resolution, {
          range: { start: range.startMs, end: new Date(range.endMs) },
        });
        const n = await expectMatchesOracle(
          source,
          part.bytes,
          width,
          `part-${unit}-${resolution}`,
          range,
          unit,
        );
        expect(n).toBeGreaterThan(0);
      }
    });
  }

  it("handles every integer width and sign, and both float widths", async () => {
    const bytes = await toParquet(everyNumericType(5000, 3));
    await fs.root().writeFile("/types.parquet", bytes, { entryType: "file:table" });
    const source = oracle.file("types.parquet", bytes);
    const columns = ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64"].map(
      (name) => ({ name, float: name.startsWith("f") }),
    );
    const files = await manager.getDownsampledTimeseries("/types.parquet", ["1m", "1h"]);
    for (const [i, file] of files.entries()) {
      const width = parseResolution(["1m", "1h"][i] as string);
      const n = await expectMatchesOracle(
        source,
        file.bytes,
        width,
        `types-${i}`,
        {},
        "us",
        columns,
      );
      expect(n).toBeGreaterThan(10);
    }
  });

  it("buckets UTC and naive timestamps alike (pond reads the stored epoch values)", async () => {
    for (const [name, timezone] of [
      ["utc", "UTC"],
      ["naive", null],
      ["paris", "Europe/Paris"],
    ] as const) {
      const bytes = await toParquet(randomSeries({ rows: 3000, unit: "ns", seed: 5, timezone }));
      await fs.root().writeFile(`/tz-${name}.parquet`, bytes, { entryType: "file:table" });
    }
    const [utc, naive, paris] = await Promise.all(
      ["utc", "naive", "paris"].map((n) =>
        manager.getDownsampledTimeseries(`/tz-${n}.parquet`, "1m"),
      ),
    );
    expect(Buffer.from(utc?.bytes ?? []).equals(Buffer.from(naive?.bytes ?? []))).toBe(true);
    expect(Buffer.from(utc?.bytes ?? []).equals(Buffer.from(paris?.bytes ?? []))).toBe(true);
  });

  it("matches around nanosecond bucket edges, before and after the epoch", async () => {
    // Times a nanosecond either side of bucket boundaries, where truncation and floor differ.
    const { int64Vector, timestampType } = await import("./testing/fixtures.js");
    const { Float64, Table } = await import("apache-arrow");
    const { numberVector } = await import("./testing/fixtures.js");
    const times: bigint[] = [];
    for (const baseMs of [-86_400_000n, -60_000n, -1n, 0n, 60_000n, 1_709_208_000_000n]) {
      for (const delta of [-1n, 0n, 1n, 999_999n, 1_000_000n])
        times.push(baseMs * 1_000_000n + delta);
    }
    const table = new Table({
      timestamp: int64Vector(timestampType("ns", null), times),
      value: numberVector(
        new Float64(),
        times.map((_, i) => i),
      ),
    });
    const bytes = await toParquet(table);
    await fs.root().writeFile("/edges.parquet", bytes, { entryType: "file:table" });
    const source = oracle.file("edges.parquet", bytes);
    for (const resolution of [1, "1m", "1d"]) {
      const width = parseResolution(resolution);
      const file = await manager.getDownsampledTimeseries("/edges.parquet", resolution);
      const expected = await oracle.query(
        oracleSql(source, "timestamp", width, [{ name: "value", float: true }]),
      );
      const actual = await oracle.query(
        pondSql(oracle.file(`edges-${width}.parquet`, file.bytes), [
          { name: "value", float: true },
        ]),
      );
      expect(
        actual.map((r) => [r.bucket, r["value.count"], r["value.min"], r["value.max"]]),
      ).toEqual(expected.map((r) => [r.bucket, r["value.count"], r["value.min"], r["value.max"]]));
    }
  });
});
