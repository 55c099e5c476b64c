// fs.query compared with DuckDB reading the same Parquet chunks from disk, on the memory and
// op-log backends: filters, aggregates, a join of two series by time, window functions, NULLs
// and every timestamp unit; pruning by recorded time ranges; the errors.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryPersistence } from "@pond/persistence-memory";
import { createOplogFs, nativeQueryEngine } from "@pond/persistence-oplog";
import { FS, PondError } from "@pond/tinyfs";
import type { Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "./append-series-chunk.js";
import type { TimeUnit } from "./arrow-ffi.js";
import { type Oracle, openOracle } from "./testing/duckdb-oracle.js";
import { randomSeries, toParquet } from "./testing/fixtures.js";

const UNITS: TimeUnit[] = ["s", "ms", "us", "ns"];
const DAY = 86_400_000;

/** DuckDB's epoch integer of a naive timestamp in `unit` (seconds reach it as BIGINT). */
const duckEpoch = (unit: TimeUnit, column: string) =>
  unit === "s" ? column : `epoch_${unit}(${column})`;

/** Values made comparable: integers as numbers, floats rounded to 9 significant digits. */
function normal(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  }
  return value ?? null;
}

function rowsOf(table: Table): Record<string, unknown>[] {
  return table.toArray().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row.toJSON())) out[key] = normal(value);
    return out;
  });
}

function duckRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) out[key] = normal(value);
    return out;
  });
}

interface Backend {
  name: string;
  open(): Promise<FS>;
  cleanup(): void;
}

const dirs: string[] = [];
const BACKENDS: Backend[] = [
  {
    name: "memory",
    open: async () => new FS(new MemoryPersistence(), { queryEngine: nativeQueryEngine }),
    cleanup: () => {},
  },
  {
    name: "op-log",
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), "pond-query-"));
      dirs.push(dir);
      return createOplogFs(join(dir, "pond"));
    },
    cleanup: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  },
];

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});
afterAll(() => {
  oracle.close();
});

/** Appends `chunks` to the series at `path` and lets DuckDB see them as view `name`. */
async function series(
  fs: FS,
  path: string,
  name: string,
  chunks: Uint8Array[],
  unit: TimeUnit,
): Promise<void> {
  const files: string[] = [];
  for (const [i, chunk] of chunks.entries()) {
    await appendSeriesChunk(fs, path, chunk, { timestampColumn: "timestamp", timestampUnit: unit });
    files.push(oracle.file(`${name}-${unit}-${i}-${Math.random()}.parquet`, chunk));
  }
  const list = files.map((f) => `'${f}'`).join(", ");
  await oracle.query(
    `CREATE OR REPLACE VIEW ${name} AS SELECT * FROM read_parquet([${list}], union_by_name = true)`,
  );
}

async function expectSame(fs: FS, sql: string, tables: Record<string, string>, duckSql = sql) {
  const mine = rowsOf(await fs.query(sql, { tables }));
  const theirs = duckRows(await oracle.query(duckSql));
  expect(mine).toEqual(theirs);
  return mine;
}

describe.each(BACKENDS)("fs.query on the $name backend", (backend) => {
  let fs: FS;
  beforeAll(async () => {
    fs = await backend.open();
    await fs.root().createDirPath("/s", { recursive: true });
  });
  afterAll(async () => {
    await fs.close();
    backend.cleanup();
  });

  it.each(UNITS)("matches DuckDB on a random series in %s", async (unit) => {
    // Chunks of several sizes: small ones inline in the op-log, a large one in _large_files.
    const sizes = [300, 40, 3000, 700];
    const chunks = await Promise.all(
      sizes.map((rows, i) =>
        toParquet(randomSeries({ rows, unit, seed: 7 + i, timezone: null, spanMs: 2 * DAY })),
      ),
    );
    const path = `/s/${backend.name}-${unit}`;
    await series(fs, path, "t", chunks, unit);
    const tables = { t: path };
    const rows = await expectSame(
      fs,
      "SELECT count(*) AS n, count(value) AS nv, count(timestamp) AS nt, sum(i32) AS s32, " +
        "min(f32) AS lo, max(f32) AS hi, avg(i64) AS mean FROM t",
      tables,
    );
    expect(rows[0]?.n).toBe(sizes.reduce((a, b) => a + b));
    // Filters with NULLs and NaN (greater than every number in both engines).
    await expectSame(
      fs,
      "SELECT count(*) AS n, sum(i32) AS s FROM t WHERE (value > 1000 OR value IS NULL) AND i32 < 0",
      tables,
    );
    // Group by a time bucket, on the epoch integer.
    const epoch = (e: string) => `CAST(${e} AS BIGINT)`;
    await expectSame(
      fs,
      `SELECT ${epoch("timestamp")} AS e, count(*) AS n FROM t WHERE timestamp IS NOT NULL ` +
        `GROUP BY 1 ORDER BY 1 LIMIT 50`,
      tables,
      `SELECT ${duckEpoch(unit, "timestamp")} AS e, count(*) AS n FROM t WHERE timestamp IS NOT NULL ` +
        "GROUP BY 1 ORDER BY 1 LIMIT 50",
    );
    await expectSame(
      fs,
      `SELECT ${epoch("min(timestamp)")} AS lo, ${epoch("max(timestamp)")} AS hi FROM t`,
      tables,
      `SELECT ${duckEpoch(unit, "min(timestamp)")} AS lo, ${duckEpoch(unit, "max(timestamp)")} AS hi FROM t`,
    );
    // Window functions over a total order.
    await expectSame(
      fs,
      "SELECT i32, label, sum(i32) OVER (ORDER BY i32, label ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS w, " +
        "row_number() OVER (PARTITION BY i32 > 0 ORDER BY i32, label) AS r, " +
        "lag(f32) OVER (ORDER BY i32, label) AS prev " +
        "FROM t WHERE i32 IS NOT NULL ORDER BY i32, label LIMIT 200",
      tables,
    );
  });

  it("joins two series by time", async () => {
    const a = await toParquet(randomSeries({ rows: 800, unit: "s", seed: 1, spanMs: DAY / 4 }));
    const b = await toParquet(randomSeries({ rows: 600, unit: "s", seed: 2, spanMs: DAY / 4 }));
    await series(fs, "/s/join-a", "a", [a], "s");
    await series(fs, "/s/join-b", "b", [b], "s");
    const rows = await expectSame(
      fs,
      "SELECT count(*) AS n, sum(a.i32) AS sa, count(b.value) AS nb FROM a JOIN b ON a.timestamp = b.timestamp",
      { a: "/s/join-a", b: "/s/join-b" },
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it("unions versions by column name and selects versions", async () => {
    const first = await toParquet(randomSeries({ rows: 50, unit: "ms", seed: 3 }));
    const narrow = randomSeries({ rows: 20, unit: "ms", seed: 4 });
    const second = await toParquet(narrow.select(["timestamp", "value"]));
    await series(fs, "/s/evolving", "e", [first, second], "ms");
    await expectSame(fs, "SELECT count(*) AS n, count(i32) AS ni, count(value) AS nv FROM e", {
      e: "/s/evolving",
    });
    const one = await fs.query("SELECT count(*) AS n FROM e", {
      tables: { e: "/s/evolving" },
      versions: 2,
    });
    expect(rowsOf(one)).toEqual([{ n: 20 }]);
    const range = await fs.query("SELECT count(*) AS n FROM e", {
      tables: { e: "/s/evolving" },
      versions: { from: 1, to: 1 },
    });
    expect(rowsOf(range)).toEqual([{ n: 50 }]);
  });

  it("prunes chunks by their recorded time range", async () => {
    const day0 = Date.UTC(2025, 0, 1);
    const chunks: Uint8Array[] = [];
    for (let d = 0; d < 10; d++) {
      const table = randomSeries({
        rows: 100,
        unit: "us",
        seed: 20 + d,
        centerMs: day0 + d * DAY + DAY / 2,
        spanMs: DAY / 8,
        timezone: null,
      });
      chunks.push(await toParquet(table));
    }
    await series(fs, "/s/days", "d", chunks, "us");
    const start = new Date(day0 + 3 * DAY);
    const end = new Date(day0 + 4 * DAY);
    const run = await fs.queryStream("SELECT count(*) AS n FROM d", {
      tables: { d: "/s/days" },
      timeRange: { start, end },
    });
    const mine = rowsOf(await run.table());
    expect(await run.sourcesRead()).toBe(1);
    const iso = (t: Date) => t.toISOString().replace("Z", "");
    const theirs = await oracle.query(
      `SELECT count(*) AS n FROM d WHERE timestamp >= '${iso(start)}' AND timestamp < '${iso(end)}'`,
    );
    expect(mine).toEqual(duckRows(theirs));
    expect(mine[0]?.n).toBeGreaterThan(0);
    // The same bounds in WHERE prune the same way.
    const where = await fs.queryStream(
      `SELECT count(*) AS n FROM d WHERE timestamp >= '${iso(start)}' AND timestamp < '${iso(end)}'`,
      { tables: { d: "/s/days" } },
    );
    expect(rowsOf(await where.table())).toEqual(mine);
    expect(await where.sourcesRead()).toBeLessThanOrEqual(2);
    const all = await fs.queryStream("SELECT count(*) AS n FROM d", { tables: { d: "/s/days" } });
    await all.table();
    expect(await all.sourcesRead()).toBe(10);
  });

  it("prunes chunks by the bounds the forms of WHERE put on the time column", async () => {
    const day0 = Date.UTC(2025, 0, 1);
    const chunks: Uint8Array[] = [];
    for (let d = 0; d < 10; d++) {
      const table = randomSeries({
        rows: 100,
        unit: "us",
        seed: 40 + d,
        centerMs: day0 + d * DAY + DAY / 2,
        spanMs: DAY / 8,
        timezone: null,
      });
      chunks.push(await toParquet(table));
    }
    await series(fs, "/s/forms", "f", chunks, "us");
    // Chunk d holds times in day d's middle eighth (2025-01-01 is day 0).
    const cases: [string, number][] = [
      ["timestamp IN ('2025-01-04 12:00:00', '2025-01-06 12:00:00')", 3],
      [
        "timestamp IN ('2025-01-03 12:00:00', '2025-01-04 12:00:00', '2025-01-05 12:00:00', '2025-01-06 12:00:00')",
        4,
      ],
      ["(timestamp < '2025-01-02 00:00:00' OR timestamp >= '2025-01-10 00:00:00')", 10],
      ["timestamp BETWEEN TIMESTAMP '2025-01-04 00:00:00' AND TIMESTAMP '2025-01-05 00:00:00'", 1],
      [
        "timestamp >= TIMESTAMP '2025-01-04 00:00:00' AND timestamp < TIMESTAMP '2025-01-04 00:00:00' + INTERVAL '1 day'",
        1,
      ],
      ["timestamp > CAST('2025-01-08 00:00:00' AS TIMESTAMP) AND i32 IS NOT NULL", 3],
      ["'2025-01-03 00:00:00' > timestamp", 2],
    ];
    for (const [where, read] of cases) {
      const sql = `SELECT count(*) AS n, sum(i32) AS s FROM f WHERE ${where}`;
      const run = await fs.queryStream(sql, { tables: { f: "/s/forms" } });
      expect(rowsOf(await run.table()), where).toEqual(duckRows(await oracle.query(sql)));
      expect(await run.sourcesRead(), where).toBe(read);
    }
  });

  it("reads a glob as one table with _path", async () => {
    for (const place of ["north", "south"]) {
      await fs.root().createDirPath(`/g/${place}`, { recursive: true });
      const chunk = await toParquet(
        randomSeries({ rows: place === "north" ? 30 : 45, unit: "ms", seed: 9 }),
      );
      await appendSeriesChunk(fs, `/g/${place}/weather`, chunk, { timestampColumn: "timestamp" });
    }
    const table = await fs.query(
      "SELECT _path, count(*) AS n FROM w GROUP BY _path ORDER BY _path",
      {
        tables: { w: "/g/**/weather" },
      },
    );
    expect(rowsOf(table)).toEqual([
      { _path: "/g/north/weather", n: 30 },
      { _path: "/g/south/weather", n: 45 },
    ]);
  });

  it("selects versions of each file of a glob", async () => {
    // north has versions of 10, 20 and 30 rows; south of 10 and 20.
    for (const [place, count] of [
      ["north", 3],
      ["south", 2],
    ] as const) {
      await fs.root().createDirPath(`/v/${place}`, { recursive: true });
      for (let v = 1; v <= count; v++) {
        const chunk = await toParquet(randomSeries({ rows: 10 * v, unit: "ms", seed: 60 + v }));
        await appendSeriesChunk(fs, `/v/${place}/weather`, chunk, { timestampColumn: "timestamp" });
      }
    }
    const counts = async (versions: number | { from?: number; to?: number }) =>
      rowsOf(
        await fs.query("SELECT _path, count(*) AS n FROM w GROUP BY _path ORDER BY _path", {
          tables: { w: "/v/**/weather" },
          versions,
        }),
      );
    expect(await counts({ from: 2 })).toEqual([
      { _path: "/v/north/weather", n: 50 },
      { _path: "/v/south/weather", n: 20 },
    ]);
    expect(await counts(2)).toEqual([
      { _path: "/v/north/weather", n: 20 },
      { _path: "/v/south/weather", n: 20 },
    ]);
    // A version one of the files lacks names nothing there.
    await expect(counts(3)).rejects.toMatchObject({ code: "ENOENT", path: "/v/south/weather" });
  });

  it("sees the transaction's own writes and older versions with at", async () => {
    const chunk = await toParquet(randomSeries({ rows: 10, unit: "ms", seed: 11 }));
    await appendSeriesChunk(fs, "/s/tx", chunk, { timestampColumn: "timestamp" });
    const before = await fs.version();
    await fs.transaction(async () => {
      await appendSeriesChunk(fs, "/s/tx", chunk);
      const inside = await fs.query("SELECT count(*) AS n FROM t", { tables: { t: "/s/tx" } });
      expect(rowsOf(inside)).toEqual([{ n: 20 }]);
    });
    const old = await fs.query("SELECT count(*) AS n FROM t", {
      tables: { t: "/s/tx" },
      at: before,
    });
    expect(rowsOf(old)).toEqual([{ n: 10 }]);
  });

  it("streams record batches", async () => {
    const run = await fs.queryStream("SELECT * FROM t", { tables: { t: "/s/days" } });
    let rows = 0;
    for await (const batch of run) rows += batch.numRows;
    expect(rows).toBe(1000);
  });

  it("reports bad queries and sources", async () => {
    await fs.root().writeFile("/notes.txt", new TextEncoder().encode("not parquet"));
    const error = async (sql: string, tables: Record<string, string>) => {
      const e = await fs.query(sql, { tables }).catch((caught: unknown) => caught);
      expect(PondError.is(e)).toBe(true);
      return e as PondError;
    };
    const syntax = await error("SELEC count(*) FROM t", { t: "/s/days" });
    expect(syntax.code).toBe("EINVAL");
    expect(syntax.message).toMatch(/Line: 1, Column: 1/);
    const column = await error("SELECT nope FROM t", { t: "/s/days" });
    expect(column.code).toBe("EINVAL");
    expect(column.message).toContain("nope");
    expect((await error("SELECT 1 FROM t", { t: "/missing" })).code).toBe("ENOENT");
    expect((await error("SELECT 1 FROM t", { t: "/nothing/**/here" })).code).toBe("ENOENT");
    const text = await error("SELECT * FROM t", { t: "/notes.txt" });
    expect(text.code).toBe("EINVAL");
    expect(text.message).toContain("not a Parquet file");
    const dir = await error("SELECT * FROM t", { t: "/s" });
    expect(dir.message).toContain("is a directory");
    expect((await error("SELECT * FROM other", { t: "/s/days" })).code).toBe("EINVAL");
    expect((await error("CREATE TABLE x (a INT)", {})).code).toBe("EINVAL");
  });
});
