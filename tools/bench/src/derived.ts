// bench:derived — 1,000,000 rows downsampled to 1-minute buckets: pond end to end against DuckDB.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
// tools/bench does not list @pond/derived as a dependency yet: import its source.
import { DerivedFileManager } from "@pond/derived";
import { createMemoryFs } from "@pond/persistence-memory";
import { makeData, makeVector, Table, TimestampMicrosecond, tableToIPC } from "apache-arrow";
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";
import { percentile, printTable, type Row, time } from "./harness.js";

const ROWS = 1_000_000;
const ROUNDS = 7;
const HITS = 1_000;

/** A timestamp (µs, UTC, one row a second from 2024-01-01) and three random-walk float columns. */
function generate(): Table {
  const start = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
  const ts = new BigInt64Array(ROWS);
  for (let i = 0; i < ROWS; i++) ts[i] = start + BigInt(i) * 1_000_000n;
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648 - 0.5;
  };
  const walk = (scale: number) => {
    const values = new Float64Array(ROWS);
    let v = 0;
    for (let i = 0; i < ROWS; i++) values[i] = v += next() * scale;
    return makeVector(values);
  };
  return new Table({
    timestamp: makeVector(
      makeData({ type: new TimestampMicrosecond("UTC"), length: ROWS, nullCount: 0, data: ts }),
    ),
    temperature: walk(0.1),
    pressure: walk(5),
    humidity: walk(1),
  });
}

const table = generate();
const parquet = writeParquet(
  WasmTable.fromIPCStream(tableToIPC(table, "stream")),
  new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build(),
);
const dir = mkdtempSync(join(tmpdir(), "pond-bench-derived-"));
const input = join(dir, "input.parquet");
writeFileSync(input, parquet);

const source = await createMemoryFs();
await source.root().writeFile("/input.parquet", parquet, { entryType: "file:table" });

const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
const stats = ["temperature", "pressure", "humidity"].flatMap((c) => [
  `min(${c}) AS "${c}.min"`,
  `max(${c}) AS "${c}.max"`,
  `avg(${c}) AS "${c}.avg"`,
  `count(${c}) AS "${c}.count"`,
]);
// DuckDB's fastest form of the buckets: integer arithmetic on the epoch. `time_bucket`, the
// form its documentation shows first, is measured as a second row.
const duckIntegerSql = (out: string) =>
  `COPY (SELECT make_timestamp(bucket * 60000000) AS timestamp, ${stats.join(", ")}
    FROM (SELECT epoch_us(timestamp) // 60000000 AS bucket, * FROM read_parquet('${input}'))
    GROUP BY bucket ORDER BY bucket) TO '${out}' (FORMAT parquet)`;
const duckTimeBucketSql = (out: string) =>
  `COPY (SELECT time_bucket(INTERVAL 1 MINUTE, timestamp) AS timestamp, ${stats.join(", ")}
    FROM read_parquet('${input}') GROUP BY 1 ORDER BY 1) TO '${out}' (FORMAT parquet)`;

// A fresh manager per round: every pond round computes from cold, like every DuckDB query.
const pondOnce = async () => {
  const manager = new DerivedFileManager(source);
  const file = await manager.getDownsampledTimeseries("/input.parquet", "1m");
  await manager.close();
  return file;
};
let out = 0;
const duckOnce = (sql: (out: string) => string) => () =>
  duck.run(sql(join(dir, `out-${out++}.parquet`)));
const duckInteger = duckOnce(duckIntegerSql);
const duckTimeBucket = duckOnce(duckTimeBucketSql);

// Warm-up: parquet-wasm compiles its module on first use, DuckDB loads its parquet reader.
const warm = await pondOnce();
await duckInteger();
await duckTimeBucket();

// Both DuckDB forms compute the same buckets.
const summary = async (file: string) =>
  String(
    (
      await duck.runAndReadAll(
        `SELECT count(*), sum(epoch_us(timestamp)), round(sum("temperature.avg"), 6) FROM read_parquet('${file}')`,
      )
    ).getRowsJS(),
  );
const [integerSummary, timeBucketSummary] = [
  await summary(join(dir, "out-0.parquet")),
  await summary(join(dir, "out-1.parquet")),
];
if (integerSummary !== timeBucketSummary) {
  throw new Error(`DuckDB's two forms disagree: ${integerSummary} and ${timeBucketSummary}`);
}

const pondTimes: number[] = [];
const duckTimes: number[] = [];
const timeBucketTimes: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  pondTimes.push(await time(pondOnce));
  duckTimes.push(await time(duckInteger));
  timeBucketTimes.push(await time(duckTimeBucket));
}

const manager = new DerivedFileManager(source);
await manager.getDownsampledTimeseries("/input.parquet", "1m");
const hitTimes: number[] = [];
for (let i = 0; i < HITS; i++) {
  hitTimes.push(
    await time(async () => {
      const hit = await manager.getDownsampledTimeseries("/input.parquet", "1m");
      if (!hit.cached) throw new Error("expected a cache hit");
    }),
  );
}
await manager.close();

const pondMs = percentile(pondTimes, 0.5);
const duckMs = percentile(duckTimes, 0.5);
const hitMs = percentile(hitTimes, 0.5);
const rows: Row[] = [
  {
    name: `downsample ${ROWS.toLocaleString("en")} rows → 1m, cold (Parquet in pond → Parquet in the result cache; DuckDB on epoch integers)`,
    pond: pondMs,
    baseline: duckMs,
    unit: "ms",
    goal: 1,
  },
  {
    name: "the same (vs DuckDB with time_bucket)",
    pond: pondMs,
    baseline: percentile(timeBucketTimes, 0.5),
    unit: "ms",
  },
  {
    // A hit has no DuckDB counterpart: it is shown beside DuckDB's cold query.
    name: `cache hit, median of ${HITS} (baseline: DuckDB's cold query)`,
    pond: hitMs,
    baseline: duckMs,
    unit: "ms",
    atMost: 1,
  },
];
printTable(
  `bench:derived — ${ROWS.toLocaleString("en")} rows (timestamp + 3 float64, Snappy Parquet, ${(parquet.length / 2 ** 20).toFixed(1)} MiB) to ${warm.size.toLocaleString("en")}-byte 1-minute result (median of ${ROUNDS})`,
  "DuckDB",
  rows,
);
console.log(`\ncache hit: p99 ${percentile(hitTimes, 0.99).toFixed(3)} ms`);

duck.closeSync();
db.closeSync();
await source.close();
rmSync(dir, { recursive: true, force: true });
