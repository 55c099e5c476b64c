// Temporal reduce: incremental rollups equal a computation from nothing and DuckDB's GROUP BY,
// over random append sequences with late and out-of-order chunks, through the memo and the
// cache directory (a new manager per step stands for a new process), damaged caches included.

import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryFs } from "@pond/persistence-memory";
import { type FS, PondError } from "@pond/tinyfs";
import { Float32, Float64, Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "./append-series-chunk.js";
import { DerivedFileManager } from "./derived-file-manager.js";
import { readParquet } from "./parquet-io.js";
import { parseResolution } from "./resolution.js";
import type { ReduceAggregation, TemporalReduceOptions } from "./temporal-reduce.js";
import { type Oracle, openOracle } from "./testing/duckdb-oracle.js";
import { int64Vector, numberVector, random, timestampType, toParquet } from "./testing/fixtures.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;

let oracle: Oracle;
let scratch: string;

beforeAll(async () => {
  oracle = await openOracle();
  scratch = mkdtempSync(join(tmpdir(), "pond-rollup-"));
});

afterAll(() => {
  oracle.close();
  rmSync(scratch, { recursive: true, force: true });
});

type Row = Record<string, number | bigint | null>;

/** A result's rows, bucket start as epoch ms, every value as a number or null. */
async function rowsOf(bytes: Uint8Array): Promise<Row[]> {
  const table = await readParquet(bytes);
  const rows: Row[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Row = {};
    for (const field of table.schema.fields) {
      const v = table.getChild(field.name)?.get(i) as number | bigint | null;
      row[field.name] = typeof v === "bigint" ? Number(v) : v;
    }
    rows.push(row);
  }
  return rows;
}

interface Sequence {
  chunks: Table[];
  options: TemporalReduceOptions;
  columns: string[];
}

/**
 * Chunks that mostly move forward in time with gaps between them, some late (back by up to
 * a few hours, into sealed buckets) or far out of order, rows unsorted within some, with
 * nulls and NaN; a column that appears only from some chunk on.
 */
function randomSequence(seed: number): Sequence {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const start = Date.UTC(2024, 0, 1) + Math.floor(next() * 10) * 7_919 - (seed % 2) * 40 * HOUR;
  let clock = start;
  const chunks: Table[] = [];
  const steps = 6 + Math.floor(next() * 6);
  const lateColumnFrom = Math.floor(next() * steps);
  for (let step = 0; step < steps; step++) {
    const rows = pick([0, 1, 3, 40, 150, 400]);
    const kind = next();
    let base = clock;
    if (kind < 0.15 && step > 0)
      base = clock - Math.floor(next() * 6 * HOUR); // late
    else if (kind < 0.25 && step > 0) base = start - Math.floor(next() * 30 * HOUR); // far out of order
    const spread = pick([MINUTE, 20 * MINUTE, 3 * HOUR]);
    const times: Array<bigint | null> = [];
    for (let i = 0; i < rows; i++) {
      if (next() < 0.03) times.push(null);
      else times.push(BigInt(base + Math.floor((next() < 0.8 ? i / rows : next()) * spread)));
    }
    if (kind >= 0.25) clock = base + spread + (next() < 0.3 ? Math.floor(next() * 10 * HOUR) : 0);
    const value = (scale: number, nulls: number) =>
      times.map(() => {
        const r = next();
        if (r < nulls) return null;
        if (r < nulls + 0.03) return Number.NaN;
        return (next() - 0.4) * scale;
      });
    const columns: Record<string, ReturnType<typeof numberVector>> = {
      temp: numberVector(new Float64(), value(40, 0.1)),
      temp_in: numberVector(
        new Float32(),
        value(30, 0.5).map((v) => (v === null ? v : Math.fround(v))),
      ),
      pressure: numberVector(new Float64(), value(1e5, 0.05)),
    };
    if (step >= lateColumnFrom) columns.wind = numberVector(new Float64(), value(20, 0.2));
    chunks.push(new Table({ timestamp: int64Vector(timestampType("ms"), times), ...columns }));
  }
  const aggregations: ReduceAggregation[] = pick([
    [{ columns: "*", ops: ["avg", "min", "max", "sum", "count"] }],
    [
      { columns: "temp*", ops: ["avg", "min", "max"] },
      { columns: "*", ops: ["count", "sum"] },
    ],
    [
      { columns: "pressure", ops: ["max", "avg"] },
      { columns: "w?nd", ops: ["min", "count"] },
      { columns: "temp", ops: ["sum"] },
    ],
  ]);
  const resolutions = [pick(["1m", "15m", 7_001]), pick(["1h", "1d", 5 * HOUR])];
  const lateness = pick([0, "1m", "1h", "1d"]);
  return {
    chunks,
    options: { resolutions, aggregations, lateness },
    columns: ["temp", "temp_in", "pressure", "wind"],
  };
}

/** DuckDB's rollup of the chunk files, in pond's column names. */
async function duckRows(
  files: string[],
  resolutionMs: number,
  aggregations: readonly ReduceAggregation[],
  resultColumns: string[],
): Promise<Row[]> {
  const sql = (column: string, op: string) => {
    const v = `CASE WHEN isnan("${column}") THEN NULL ELSE "${column}" END`;
    if (op === "count") return `count(${v})`;
    return `CAST(${op}(${v}) AS DOUBLE)`;
  };
  const selects = resultColumns
    .filter((c) => c !== "timestamp")
    .map((c) => {
      const dot = c.lastIndexOf(".");
      return `${sql(c.slice(0, dot), c.slice(dot + 1))} AS "${c}"`;
    });
  const bucket = `fdiv(epoch_ms("timestamp"), ${resolutionMs}) * ${resolutionMs}`;
  const list = files.map((f) => `'${f}'`).join(", ");
  const rows = await oracle.query(
    `SELECT ${bucket} AS "timestamp"${selects.length > 0 ? `, ${selects.join(", ")}` : ""}
     FROM read_parquet([${list}], union_by_name = true) WHERE "timestamp" IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
  );
  expect(aggregations.length).toBeGreaterThan(0);
  return rows.map((r) => {
    const row: Row = {};
    for (const [k, v] of Object.entries(r))
      row[k] = typeof v === "bigint" ? Number(v) : (v as number | null);
    return row;
  });
}

/** pond's rows against DuckDB's: buckets, counts, min and max exactly; sums and averages closely. */
function expectClose(actual: Row[], expected: Row[], what: string): void {
  expect(
    actual.map((r) => r.timestamp),
    `${what}: buckets`,
  ).toEqual(expected.map((r) => Number(r.timestamp)));
  const mismatches: string[] = [];
  for (const [i, want] of expected.entries()) {
    const got = actual[i] as Row;
    for (const key of Object.keys(want)) {
      if (key === "timestamp") continue;
      const a = got[key] as number | null;
      const b = want[key] as number | null;
      const approximate = key.endsWith(".sum") || key.endsWith(".avg");
      const ok =
        a === null || b === null
          ? a === b
          : approximate
            ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
            : a === b;
      if (!ok && mismatches.length < 10)
        mismatches.push(`${key} @ ${String(want.timestamp)}: ${a} vs ${b}`);
    }
  }
  expect(mismatches, what).toEqual([]);
}

/** Truncates one cache file and scribbles over another: the next reader must ignore them. */
function damage(dir: string, next: () => number): void {
  const root = join(dir, "temporal-reduce");
  const files = readdirSync(root).sort();
  if (files.length === 0) return;
  const victim = join(root, files[Math.floor(next() * files.length)] as string);
  if (next() < 0.5) truncateSync(victim, Math.floor(next() * 40));
  else writeFileSync(victim, "{not what was written");
}

describe("temporal-reduce", () => {
  for (let seed = 1; seed <= 8; seed++) {
    it(`random append sequence ${seed}: incremental = from nothing = DuckDB, after every append`, async () => {
      const { chunks, options } = randomSequence(seed);
      const next = random(seed * 31);
      const cacheDir = mkdtempSync(join(scratch, `cache-${seed}-`));
      const fs = await createMemoryFs();
      // One manager for the whole sequence (its memo), one per step on the cache directory.
      const incremental = new DerivedFileManager(fs, { cacheDir });
      const files: string[] = [];
      try {
        for (const [step, chunk] of chunks.entries()) {
          const bytes = await toParquet(chunk);
          await appendSeriesChunk(fs, "/s", bytes);
          files.push(oracle.file(`seq-${seed}-${step}.parquet`, bytes));
          const damaged = step > 0 && next() < 0.3;
          if (damaged) damage(cacheDir, next);
          const fromDisk = await withManager(fs, { cacheDir }, async (m) => {
            const files = await m.derive("temporal-reduce", "/s", options);
            // A new process reads the new chunk alone, unless the cache was damaged.
            if (!damaged) expect(m.stats().chunksRead).toBe(1);
            return files;
          });
          const readBefore = incremental.stats().chunksRead;
          const fromMemo = await incremental.derive("temporal-reduce", "/s", options);
          // The memo's state, or at the first step the one just stored, needs the new chunk alone.
          expect(incremental.stats().chunksRead - readBefore).toBe(step === 0 ? 0 : 1);
          const fromNothing = await withManager(fs, {}, (m) =>
            m.derive("temporal-reduce", "/s", options),
          );
          for (const [r, resolution] of options.resolutions.entries()) {
            const what = `seed ${seed}, step ${step}, resolution ${resolution}`;
            const expected = await rowsOf((fromNothing[r] as { bytes: Uint8Array }).bytes);
            // Bit for bit: both fold the same chunk partials in version order.
            expect(await rowsOf((fromMemo[r] as { bytes: Uint8Array }).bytes), what).toEqual(
              expected,
            );
            expect(await rowsOf((fromDisk[r] as { bytes: Uint8Array }).bytes), what).toEqual(
              expected,
            );
            const duck = await duckRows(
              files,
              parseResolution(resolution),
              options.aggregations,
              Object.keys(expected[0] ?? { timestamp: 0 }),
            );
            expectClose(expected, duck, what);
            // pond's own Parquet writer, read by a second reader.
            const written = oracle.file(
              `out-${seed}-${step}-${r}.parquet`,
              (fromMemo[r] as { bytes: Uint8Array }).bytes,
            );
            const columns = Object.keys(expected[0] ?? {}).filter((c) => c !== "timestamp");
            const read = await oracle.query(
              `SELECT epoch_ms("timestamp") AS "timestamp"${columns.map((c) => `, "${c}"`).join("")}
               FROM read_parquet('${written}')`,
            );
            expect(
              read.map((row) =>
                Object.fromEntries(
                  Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
                ),
              ),
              what,
            ).toEqual(expected);
          }
        }
      } finally {
        await incremental.close();
        await fs.close();
      }
    });
  }

  it("names its columns <column>.<op>, in aggregation, column and op order", async () => {
    const fs = await createMemoryFs();
    const times = [0n, 1n, 61_000n, 61_001n].map((t) => t + BigInt(Date.UTC(2024, 0, 1)));
    const table = new Table({
      timestamp: int64Vector(timestampType("ms"), times),
      b: numberVector(new Float64(), [1, null, null, null]),
      a: numberVector(new Float64(), [2, 4, 6, Number.NaN]),
    });
    await fs.root().writeFile("/t.parquet", await toParquet(table), { entryType: "file:table" });
    const [file] = await withManager(fs, {}, (m) =>
      m.derive("temporal-reduce", "/t.parquet", {
        resolutions: ["1m"],
        aggregations: [
          { columns: "a", ops: ["sum", "count"] },
          { columns: "*", ops: ["avg", "min", "sum"] },
        ],
      }),
    );
    expect(await rowsOf((file as { bytes: Uint8Array }).bytes)).toEqual([
      {
        timestamp: Date.UTC(2024, 0, 1),
        "a.sum": 6,
        "a.count": 2,
        "b.avg": 1,
        "b.min": 1,
        "b.sum": 1,
        "a.avg": 3,
        "a.min": 2,
      },
      {
        timestamp: Date.UTC(2024, 0, 1, 0, 1),
        "a.sum": 6,
        "a.count": 1,
        "b.avg": null,
        "b.min": null,
        "b.sum": null,
        "a.avg": 6,
        "a.min": 6,
      },
    ]);
    expect(file?.entryType).toBe("file:table");
    await fs.close();
  });

  it("recomputes when the input is replaced rather than appended to", async () => {
    const fs = await createMemoryFs();
    const manager = new DerivedFileManager(fs);
    const options = {
      resolutions: ["1h"],
      aggregations: [{ columns: "*", ops: ["max" as const] }],
    };
    const write = async (values: number[]) => {
      const table = new Table({
        timestamp: int64Vector(
          timestampType("ms"),
          values.map((_, i) => BigInt(i * HOUR)),
        ),
        v: numberVector(new Float64(), values),
      });
      await fs.root().writeFile("/t.parquet", await toParquet(table), { entryType: "file:table" });
      const [file] = await manager.derive("temporal-reduce", "/t.parquet", options);
      return (await rowsOf((file as { bytes: Uint8Array }).bytes)).map((r) => r["v.max"]);
    };
    expect(await write([1, 2, 3])).toEqual([1, 2, 3]);
    expect(await write([5, 4])).toEqual([5, 4]);
    await manager.close();
    await fs.close();
  });

  it("reads only the chunks a time range admits, and keeps only rows in it", async () => {
    const fs = await createMemoryFs();
    const day = Date.UTC(2024, 0, 1);
    for (let d = 0; d < 4; d++) {
      const table = new Table({
        timestamp: int64Vector(
          timestampType("ms"),
          [0, 6, 12, 18].map((h) => BigInt(day + d * 24 * HOUR + h * HOUR)),
        ),
        v: numberVector(new Float64(), [1, 2, 3, 4]),
      });
      await appendSeriesChunk(fs, "/s", await toParquet(table));
    }
    const [file] = await withManager(fs, {}, async (m) => {
      const files = await m.derive("temporal-reduce", "/s", {
        resolutions: ["1d"],
        aggregations: [{ columns: "v", ops: ["sum", "count"] }],
        range: { start: day + 24 * HOUR + 6 * HOUR, end: day + 3 * 24 * HOUR },
      });
      expect(m.stats()).toMatchObject({ chunksRead: 2, chunksSkipped: 2 });
      return files;
    });
    expect(await rowsOf((file as { bytes: Uint8Array }).bytes)).toEqual([
      { timestamp: day + 24 * HOUR, "v.sum": 9, "v.count": 3 },
      { timestamp: day + 2 * 24 * HOUR, "v.sum": 10, "v.count": 4 },
    ]);
    await fs.close();
  });

  it("fails every result of a request whose input cannot be read, and caches none", async () => {
    const fs = await createMemoryFs();
    await fs.root().writeFile("/bad", new TextEncoder().encode("not parquet"));
    const manager = new DerivedFileManager(fs);
    const options = { resolutions: ["1h", "1d"], aggregations: [{ columns: "*", ops: ["avg"] }] };
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await manager.derive("temporal-reduce", "/bad", options).catch((e) => e);
      expect(PondError.is(error, "EINVAL")).toBe(true);
    }
    expect(manager.stats().entries).toBe(0);
    await manager.close();
    await fs.close();
  });

  it("gives each of several requests running at once the result of its own version", async () => {
    const { chunks, options } = randomSequence(3);
    const fs = await createMemoryFs();
    const cacheDir = mkdtempSync(join(scratch, "concurrent-"));
    const manager = new DerivedFileManager(fs, { cacheDir });
    const running: Array<Promise<Array<{ bytes: Uint8Array }>>> = [];
    const expected: Array<Array<{ bytes: Uint8Array }>> = [];
    for (const chunk of chunks) {
      await appendSeriesChunk(fs, "/s", await toParquet(chunk));
      running.push(manager.derive("temporal-reduce", "/s", options));
      expected.push(await withManager(fs, {}, (m) => m.derive("temporal-reduce", "/s", options)));
    }
    const results = await Promise.all(running);
    for (const [step, files] of results.entries()) {
      for (const [r, file] of files.entries()) {
        const want = (expected[step] as Array<{ bytes: Uint8Array }>)[r] as { bytes: Uint8Array };
        expect(await rowsOf(file.bytes), `step ${step}`).toEqual(await rowsOf(want.bytes));
      }
    }
    // And the state left behind, in memory and on disk, is the newest one's.
    await appendSeriesChunk(fs, "/s", await toParquet(chunks[0] as Table));
    const after = await manager.derive("temporal-reduce", "/s", options);
    const fromDisk = await withManager(fs, { cacheDir }, (m) =>
      m.derive("temporal-reduce", "/s", options),
    );
    const fromNothing = await withManager(fs, {}, (m) =>
      m.derive("temporal-reduce", "/s", options),
    );
    for (const [r, file] of fromNothing.entries()) {
      const want = await rowsOf(file.bytes);
      expect(await rowsOf((after[r] as { bytes: Uint8Array }).bytes)).toEqual(want);
      expect(await rowsOf((fromDisk[r] as { bytes: Uint8Array }).bytes)).toEqual(want);
    }
    await manager.close();
    await fs.close();
  });

  it("computes an older version from nothing and leaves the newer state on disk", async () => {
    const { chunks, options } = randomSequence(5);
    const fs = await createMemoryFs();
    const cacheDir = mkdtempSync(join(scratch, "older-"));
    const versions: number[] = [];
    for (const chunk of chunks.slice(0, 3)) {
      await appendSeriesChunk(fs, "/s", await toParquet(chunk));
      versions.push(await fs.version());
    }
    await withManager(fs, { cacheDir }, (m) => m.derive("temporal-reduce", "/s", options));
    const older = await fs.atVersion(versions[1] as number);
    const [atOlder, fromNothing] = await Promise.all([
      withManager(older, { cacheDir }, async (m) => {
        const files = await m.derive("temporal-reduce", "/s", options);
        expect(m.stats().chunksRead).toBe(2);
        return files;
      }),
      withManager(older, {}, (m) => m.derive("temporal-reduce", "/s", options)),
    ]);
    for (const [r, file] of fromNothing.entries()) {
      expect(await rowsOf((atOlder[r] as { bytes: Uint8Array }).bytes)).toEqual(
        await rowsOf(file.bytes),
      );
    }
    await appendSeriesChunk(fs, "/s", await toParquet(chunks[3] as Table));
    await withManager(fs, { cacheDir }, async (m) => {
      await m.derive("temporal-reduce", "/s", options);
      expect(m.stats().chunksRead).toBe(1);
    });
    await older.close();
    await fs.close();
  });

  it("refuses invalid options", async () => {
    const fs = await createMemoryFs();
    const table = new Table({
      timestamp: int64Vector(timestampType("ms"), [0n]),
      v: numberVector(new Float64(), [1]),
    });
    await fs.root().writeFile("/t.parquet", await toParquet(table), { entryType: "file:table" });
    const manager = new DerivedFileManager(fs);
    const invalid: unknown[] = [
      undefined,
      { aggregations: [{ columns: "*", ops: ["avg"] }] },
      { resolutions: [], aggregations: [{ columns: "*", ops: ["avg"] }] },
      { resolutions: ["1h"] },
      { resolutions: ["1h"], aggregations: [] },
      { resolutions: ["1h"], aggregations: [{ columns: "", ops: ["avg"] }] },
      { resolutions: ["1h"], aggregations: [{ columns: "*", ops: [] }] },
      { resolutions: ["1h"], aggregations: [{ columns: "*", ops: ["median"] }] },
      { resolutions: ["1h"], aggregations: [{ columns: "*", ops: ["avg"] }], lateness: "soon" },
      { resolutions: ["1h"], aggregations: [{ columns: "*", ops: ["avg"] }], lateness: -1 },
      { resolutions: ["0h"], aggregations: [{ columns: "*", ops: ["avg"] }] },
    ];
    for (const options of invalid) {
      const error = await manager.derive("temporal-reduce", "/t.parquet", options).catch((e) => e);
      expect(PondError.is(error, "EINVAL"), JSON.stringify(options)).toBe(true);
    }
    await manager.close();
    await fs.close();
  });
});

async function withManager<T>(
  fs: FS,
  options: { cacheDir?: string },
  fn: (manager: DerivedFileManager) => Promise<T>,
): Promise<T> {
  const manager = new DerivedFileManager(fs, options);
  try {
    return await fn(manager);
  } finally {
    await manager.close();
  }
}
