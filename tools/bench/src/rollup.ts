// bench:rollup — a series of daily chunks (10-second readings) rolled up to 1h and 1d with
// temporal-reduce, against DuckDB over the same Parquet files on disk; then more chunks are
// appended one at a time and each update is set against downsampling that chunk alone.
//
//   pnpm bench:rollup [--days N]   (default 10,000 days: 86.4 M rows)

import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DerivedFileManager, SERIES_COLUMNS_ATTR, TEMPORAL_REDUCE } from "@pond/derived";
import { createMemoryFs } from "@pond/persistence-memory";
import { createOplogFs } from "@pond/persistence-oplog";
import {
  Float64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  tableToIPC,
} from "apache-arrow";
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";
import { percentile, printTable, type Row, time } from "./harness.js";

const DAY_MS = 86_400_000;
const ROWS_PER_DAY = 8_640;
const CHUNKS_PER_TRANSACTION = 100;
const APPENDS = 5;
const DOWNSAMPLE_RUNS = 15;
const START_MS = Date.UTC(1999, 0, 1);

const daysArg = process.argv.indexOf("--days");
const DAYS = daysArg >= 0 ? Number(process.argv[daysArg + 1]) : 10_000;
if (!Number.isSafeInteger(DAYS) || DAYS < 1) throw new Error("--days takes a whole number ≥ 1");

const OPTIONS = {
  resolutions: ["1h", "1d"],
  aggregations: [{ columns: "*", ops: ["avg", "min", "max"] as const }],
};
const COLUMNS = ["temperature", "humidity", "pressure"];

/** Three random walks that go on from one chunk to the next (seeded: every run the same). */
class Readings {
  private seed = 42;
  private readonly level = [15, 60, 1013];
  private readonly step = [0.02, 0.05, 0.01];
  private readonly properties = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .build();

  /** Day `day`'s chunk: timestamp (µs, UTC, every 10 s) and the three columns, as Parquet. */
  chunk(day: number): Uint8Array {
    const ts = new BigInt64Array(ROWS_PER_DAY);
    const first = BigInt(START_MS + day * DAY_MS) * 1000n;
    for (let i = 0; i < ROWS_PER_DAY; i++) ts[i] = first + BigInt(i) * 10_000_000n;
    const columns: Record<string, ReturnType<typeof makeVector>> = {
      timestamp: makeVector(
        makeData({
          type: new TimestampMicrosecond("UTC"),
          length: ROWS_PER_DAY,
          nullCount: 0,
          data: ts,
        }),
      ),
    };
    COLUMNS.forEach((name, c) => {
      const values = new Float64Array(ROWS_PER_DAY);
      let v = this.level[c] as number;
      for (let i = 0; i < ROWS_PER_DAY; i++)
        values[i] = v += this.next() * (this.step[c] as number);
      this.level[c] = v;
      columns[name] = makeVector(
        makeData({ type: new Float64(), length: ROWS_PER_DAY, nullCount: 0, data: values }),
      );
    });
    const table = new Table(columns);
    return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), this.properties);
  }

  private next(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.seed / 2_147_483_648 - 0.5;
  }
}

const SERIES_ATTRS = {
  timestampColumn: "timestamp",
  timestampUnit: "us",
  [SERIES_COLUMNS_ATTR]: JSON.stringify([
    ["timestamp", "tsu:UTC"],
    ...COLUMNS.map((c) => [c, "g"]),
  ]),
};

/** What appendSeriesChunk records, without decoding the chunk again: the bench knows its times. */
function chunkOptions(day: number) {
  const first = START_MS + day * DAY_MS;
  return {
    entryType: "file:series" as const,
    attrs: SERIES_ATTRS,
    minEventTime: first,
    maxEventTime: first + (ROWS_PER_DAY - 1) * 10_000,
  };
}

const scratch = mkdtempSync(join(tmpdir(), "pond-bench-rollup-"));
const pondDir = join(scratch, "pond");
const cacheDir = join(scratch, "cache");
const readings = new Readings();
const fs = await createOplogFs(pondDir);

console.log(`building a pond of ${DAYS.toLocaleString("en")} daily chunks …`);
const buildMs = await time(async () => {
  for (let day = 0; day < DAYS; day += CHUNKS_PER_TRANSACTION) {
    await fs.transaction(async (root) => {
      for (let d = day; d < Math.min(DAYS, day + CHUNKS_PER_TRANSACTION); d++) {
        await root.writeFile("/sensors.series", readings.chunk(d), chunkOptions(d));
      }
    });
  }
});
// Chunks are stored as they were written, one file each: DuckDB reads those very files.
const largeFiles = join(pondDir, "_large_files");
const chunkFiles = readdirSync(largeFiles);
if (chunkFiles.length !== DAYS) throw new Error(`${chunkFiles.length} large files, not ${DAYS}`);
const pondBytes = chunkFiles.reduce((sum, f) => sum + statSync(join(largeFiles, f)).size, 0);
console.log(
  `built in ${(buildMs / 1000).toFixed(1)} s: ${(pondBytes / 2 ** 30).toFixed(2)} GiB of chunks`,
);

// Warm-up, off the clock: parquet-wasm compiles its module on first use, DuckDB loads its reader.
// (In a pond of its own: DuckDB reads every large file of this one.)
const warmFs = await createMemoryFs();
await warmFs.root().writeFile("/warm.parquet", readings.chunk(-1), { entryType: "file:table" });
const warm = new DerivedFileManager(warmFs);
await warm.derive(TEMPORAL_REDUCE, "/warm.parquet", OPTIONS);
await warm.close();
await warmFs.close();

// The first full rollup, its state kept in the manager's memo; then again in a manager that
// also saves its state to a cache directory, as the CLI does.
const manager = new DerivedFileManager(fs);
let first: Awaited<ReturnType<DerivedFileManager["derive"]>> = [];
const firstMs = await time(async () => {
  first = await manager.derive(TEMPORAL_REDUCE, "/sensors.series", OPTIONS);
});
const firstSavedMs = await time(async () => {
  const saving = new DerivedFileManager(fs, { cacheDir });
  await saving.derive(TEMPORAL_REDUCE, "/sensors.series", OPTIONS);
  await saving.close();
});

// DuckDB's fastest form: one scan to hourly partials, both resolutions from those.
const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
const threads = (await duck.runAndReadAll("SELECT current_setting('threads')")).getRowsJS()[0];
const glob = join(largeFiles, "*");
await duck.run(`SELECT count(*) FROM read_parquet('${join(largeFiles, chunkFiles[0] as string)}')`);
const partials = COLUMNS.flatMap((c) => [
  `sum(${c}) AS ${c}_sum`,
  `count(${c}) AS ${c}_count`,
  `min(${c}) AS ${c}_min`,
  `max(${c}) AS ${c}_max`,
]);
const merged = COLUMNS.flatMap((c) => [
  `sum(${c}_sum) / sum(${c}_count) AS "${c}.avg"`,
  `min(${c}_min) AS "${c}.min"`,
  `max(${c}_max) AS "${c}.max"`,
]);
const direct = COLUMNS.flatMap((c) => [
  `avg(${c}) AS "${c}.avg"`,
  `min(${c}) AS "${c}.min"`,
  `max(${c}) AS "${c}.max"`,
]);
const out = (name: string) => join(scratch, `${name}.parquet`);
const duckPartialsMs = await time(async () => {
  await duck.run(
    `CREATE TEMP TABLE h AS SELECT epoch_us(timestamp) // 3600000000 AS hour, ${partials.join(", ")}
     FROM read_parquet('${glob}') GROUP BY hour`,
  );
  for (const [name, width] of [
    ["duck-1h", 1],
    ["duck-1d", 24],
  ] as const) {
    await duck.run(
      `COPY (SELECT make_timestamp((hour // ${width}) * ${width} * 3600000000) AS timestamp, ${merged.join(", ")}
       FROM h GROUP BY hour // ${width} ORDER BY 1) TO '${out(name)}' (FORMAT parquet)`,
    );
  }
});
const duckDirectMs = await time(async () => {
  for (const [name, us] of [
    ["direct-1h", 3_600_000_000],
    ["direct-1d", 86_400_000_000],
  ] as const) {
    await duck.run(
      `COPY (SELECT make_timestamp(epoch_us(timestamp) // ${us} * ${us}) AS timestamp, ${direct.join(", ")}
       FROM read_parquet('${glob}') GROUP BY 1 ORDER BY 1) TO '${out(name)}' (FORMAT parquet)`,
    );
  }
});

// pond's results and DuckDB's hold the same buckets and (to rounding) the same values.
for (const [i, name] of ["duck-1h", "duck-1d"].entries()) {
  const mine = out(`pond-${name}`);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(mine, (first[i] as { bytes: Uint8Array }).bytes);
  const diff = (
    await duck.runAndReadAll(
      `SELECT count(*) AS n, count(p.timestamp) AS matched,
         max(abs(p."temperature.avg" - d."temperature.avg")) AS avg_diff,
         sum(CASE WHEN p."pressure.max" = d."pressure.max" AND p."humidity.min" = d."humidity.min" THEN 0 ELSE 1 END) AS unequal
       FROM read_parquet('${out(name)}') d LEFT JOIN read_parquet('${mine}') p ON epoch_ms(p.timestamp) = epoch_ms(d.timestamp)`,
    )
  ).getRowObjectsJS()[0] as Record<string, unknown>;
  if (diff.n !== diff.matched || Number(diff.unequal) !== 0 || !(Number(diff.avg_diff) < 1e-9)) {
    throw new Error(
      `pond and DuckDB disagree on ${name}: ${JSON.stringify(diff, (_, v) => (typeof v === "bigint" ? Number(v) : v))}`,
    );
  }
}

// One more chunk at a time: the update in this process (the manager's memo), in a new
// manager on the cache directory (what a new `pond` process does: load the state, fold the
// chunk, save), and downsampling that chunk alone as a file of its own.
const sameProcess: number[] = [];
const newProcess: number[] = [];
const downsample: number[] = [];
for (let a = 0; a < APPENDS; a++) {
  const day = DAYS + a;
  const chunk = readings.chunk(day);
  await fs.root().writeFile("/sensors.series", chunk, chunkOptions(day));
  await fs.root().writeFile("/one.parquet", chunk, { entryType: "file:table" });
  newProcess.push(
    await time(async () => {
      const fresh = new DerivedFileManager(fs, { cacheDir });
      await fresh.derive(TEMPORAL_REDUCE, "/sensors.series", OPTIONS);
      if (fresh.stats().chunksRead !== 1) throw new Error("the cache directory was not used");
      await fresh.close();
    }),
  );
  sameProcess.push(
    await time(async () => {
      const before = manager.stats().chunksRead;
      await manager.derive(TEMPORAL_REDUCE, "/sensors.series", OPTIONS);
      if (manager.stats().chunksRead !== before + 1) throw new Error("the memo was not used");
    }),
  );
  for (let r = 0; r < DOWNSAMPLE_RUNS / APPENDS; r++) {
    downsample.push(
      await time(async () => {
        const alone = new DerivedFileManager(fs);
        await alone.getDownsampledTimeseries("/one.parquet", ["1h", "1d"]);
        await alone.close();
      }),
    );
  }
}

const oneChunkMs = percentile(downsample, 0.5);
const rows: Row[] = [
  {
    name: `first full rollup, ${(DAYS * ROWS_PER_DAY).toLocaleString("en")} rows → 1h + 1d (DuckDB: one scan to hourly partials, both from those)`,
    pond: firstMs,
    baseline: duckPartialsMs,
    unit: "ms",
    goal: 1,
  },
  {
    name: "the same (vs DuckDB: one GROUP BY query per resolution)",
    pond: firstMs,
    baseline: duckDirectMs,
    unit: "ms",
  },
  {
    name: "first full rollup saving its state to the cache directory (vs DuckDB: partials)",
    pond: firstSavedMs,
    baseline: duckPartialsMs,
    unit: "ms",
  },
  {
    name: `update after one appended chunk, same process, median of ${APPENDS} (vs downsampling the chunk alone to 1h + 1d)`,
    pond: percentile(sameProcess, 0.5),
    baseline: oneChunkMs,
    unit: "ms",
    goal: 2,
  },
  {
    name: `update after one appended chunk, new manager on the cache directory (load, fold, save), median of ${APPENDS}`,
    pond: percentile(newProcess, 0.5),
    baseline: oneChunkMs,
    unit: "ms",
  },
];
printTable(
  `bench:rollup — ${DAYS.toLocaleString("en")} daily chunks of ${ROWS_PER_DAY.toLocaleString("en")} rows (timestamp + 3 float64, ${(pondBytes / 2 ** 30).toFixed(2)} GiB of Snappy Parquet in an op-log pond); DuckDB threads: ${String(threads)}`,
  "baseline",
  rows,
);
console.log(
  `\npond built in ${(buildMs / 1000).toFixed(1)} s; updates same process ${sameProcess.map((t) => t.toFixed(1)).join(", ")} ms; new manager ${newProcess.map((t) => t.toFixed(1)).join(", ")} ms`,
);

await manager.close();
duck.closeSync();
db.closeSync();
await fs.close();
rmSync(scratch, { recursive: true, force: true });
