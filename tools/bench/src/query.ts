// bench:query — SQL over a series of 10,000,000 rows (timestamp + 3 floats) in 100 versions of an
// op-log pond, against DuckDB reading the same 100 Parquet files from disk, in the same run:
// (a) a filter on one day, (b) an hourly GROUP BY over everything, (c) a join of two series on
// time; and the peak RSS of a process streaming the whole table out (goal < 256 MiB).
// `--only c` (or a, b) runs that query alone, without the streaming measure; `--explain` prints
// DataFusion's EXPLAIN ANALYZE of each query run.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { appendSeriesChunk } from "@pond/derived";
import { createOplogFs } from "@pond/persistence-oplog";
import { makeData, makeVector, Table, TimestampMicrosecond, tableToIPC } from "apache-arrow";
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";
import { percentile, printTable, type Row, time } from "./harness.js";
import { processCost } from "./process-cost.js";

const VERSIONS = 100;
const ROWS_PER_VERSION = 100_000;
const ROWS = VERSIONS * ROWS_PER_VERSION;
/** The second series of the join: one row a minute over the same span, in 10 versions. */
const MINUTE_VERSIONS = 10;
const ROUNDS = 5;
const START_US = BigInt(Date.UTC(2024, 0, 1)) * 1000n;

let seed = 42;
const next = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648 - 0.5;
};

/** `rows` rows from row `first` on, `stepUs` apart: a µs UTC timestamp and three floats. */
function chunk(first: number, rows: number, stepUs: bigint): Uint8Array {
  const ts = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) ts[i] = START_US + BigInt(first + i) * stepUs;
  const column = (scale: number) => {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) values[i] = next() * scale;
    return makeVector(values);
  };
  const table = new Table({
    timestamp: makeVector(
      makeData({ type: new TimestampMicrosecond("UTC"), length: rows, nullCount: 0, data: ts }),
    ),
    temperature: column(30),
    pressure: column(50),
    humidity: column(100),
  });
  return writeParquet(
    WasmTable.fromIPCStream(tableToIPC(table, "stream")),
    new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build(),
  );
}

const dir = mkdtempSync(join(tmpdir(), "pond-bench-query-"));
const files = join(dir, "files");
mkdirSync(join(files, "second"), { recursive: true });
mkdirSync(join(files, "minute"), { recursive: true });
const pondPath = join(dir, "pond");
const fs = await createOplogFs(pondPath);
await fs.root().createDirPath("/sensors");
const load = async (name: string, versions: number, rows: number, stepUs: bigint) => {
  for (let v = 0; v < versions; v++) {
    const bytes = chunk(v * rows, rows, stepUs);
    writeFileSync(join(files, name, `${String(v).padStart(3, "0")}.parquet`), bytes);
    await appendSeriesChunk(fs, `/sensors/${name}`, bytes, { timestampColumn: "timestamp" });
  }
};
const loadMs = await time(async () => {
  await load("second", VERSIONS, ROWS_PER_VERSION, 1_000_000n);
  await load("minute", MINUTE_VERSIONS, Math.floor(ROWS / 60 / MINUTE_VERSIONS), 60_000_000n);
});

const db = await DuckDBInstance.create(":memory:");
const duck = await db.connect();
await duck.run(
  `CREATE VIEW second AS SELECT * FROM read_parquet('${join(files, "second", "*.parquet")}')`,
);
await duck.run(
  `CREATE VIEW minute AS SELECT * FROM read_parquet('${join(files, "minute", "*.parquet")}')`,
);
const tables = { second: "/sensors/second", minute: "/sensors/minute" };

const day = "2024-02-10";
const QUERIES: { name: string; sql: string }[] = [
  {
    name: "(a) filter on one day",
    sql:
      "SELECT count(*) AS n, avg(temperature) AS t FROM second " +
      `WHERE timestamp >= TIMESTAMP '${day} 00:00:00Z' AND timestamp < TIMESTAMP '${day} 00:00:00Z' + INTERVAL '1 day'`,
  },
  {
    name: "(b) hourly GROUP BY over all",
    sql:
      "SELECT date_trunc('hour', timestamp) AS hour, avg(temperature) AS t, min(pressure) AS p, " +
      "max(humidity) AS h FROM second GROUP BY 1 ORDER BY 1",
  },
  {
    name: "(c) join of two series on time",
    sql:
      "SELECT count(*) AS n, avg(s.temperature - m.temperature) AS d FROM second s " +
      "JOIN minute m ON s.timestamp = m.timestamp",
  },
];

const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? process.argv[onlyArg + 1] : undefined;
if (only !== undefined && !QUERIES.some((q) => q.name.startsWith(`(${only})`))) {
  throw new Error(`--only takes a, b or c, not ${only}`);
}

const rows: Row[] = [];
for (const query of QUERIES) {
  if (only !== undefined && !query.name.startsWith(`(${only})`)) continue;
  const pond = async () => (await fs.query(query.sql, { tables })).numRows;
  const duckdb = async () => (await duck.runAndReadAll(query.sql)).currentRowCount;
  if (process.argv.includes("--explain")) {
    const plan = await fs.query(`EXPLAIN ANALYZE ${query.sql}`, { tables });
    for (const row of plan.toArray()) console.log(String(row.toJSON().plan));
  }
  const [mine, theirs] = [await pond(), await duckdb()];
  if (mine !== theirs) throw new Error(`${query.name}: pond ${mine} rows, DuckDB ${theirs}`);
  const pondTimes: number[] = [];
  const duckTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pondTimes.push(await time(pond));
    duckTimes.push(await time(duckdb));
  }
  rows.push({
    name: query.name,
    pond: percentile(pondTimes, 0.5),
    baseline: percentile(duckTimes, 0.5),
    unit: "ms",
    goal: 1,
  });
}
const run = await fs.queryStream(QUERIES[0]?.sql ?? "", { tables });
await run.table();
const chunksRead = await run.sourcesRead();
await fs.close();
if (only !== undefined) {
  printTable(`bench:query — (${only}) alone, median of ${ROUNDS}`, "DuckDB", rows);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

// Peak RSS of a process that streams every row out: pond's CLI writing CSV to /dev/null, and
// DuckDB's reading the same rows in chunks in a Node process.
const here = fileURLToPath(new URL(".", import.meta.url));
const cli = join(here, "..", "..", "..", "packages", "cli", "dist", "bin.js");
const pondStream = processCost(process.execPath, [
  cli,
  "--pond",
  pondPath,
  "query",
  "SELECT * FROM s",
  "--table",
  "s=/sensors/second",
  "--format",
  "csv",
]);
const duckScript = join(dir, "duck-stream.mjs");
writeFileSync(
  duckScript,
  [
    `import { DuckDBInstance } from ${JSON.stringify(import.meta.resolve("@duckdb/node-api"))};`,
    "const db = await DuckDBInstance.create(':memory:');",
    "const c = await db.connect();",
    `const result = await c.stream("SELECT * FROM read_parquet('${join(files, "second", "*.parquet")}')");`,
    "let n = 0; for (;;) { const chunk = await result.fetchChunk(); if (!chunk || chunk.rowCount === 0) break; n += chunk.rowCount; }",
    `if (n !== ${ROWS}) throw new Error('rows: ' + n);`,
  ].join("\n"),
);
const duckStream = processCost(process.execPath, [duckScript]);
rows.push({
  name: "stream every row out: peak RSS (pond: CLI to CSV; DuckDB: chunks in Node)",
  pond: pondStream.peakMiB,
  baseline: duckStream.peakMiB,
  unit: "MiB",
  atMost: 256,
});

printTable(
  `bench:query — ${ROWS.toLocaleString("en")} rows (timestamp + 3 float64) as a series of ${VERSIONS} versions in an op-log pond; DuckDB on the same Parquet files (median of ${ROUNDS})`,
  "DuckDB",
  rows,
);
console.log(
  `\nloading the pond: ${(loadMs / 1000).toFixed(1)} s; (a) read ${chunksRead} of ${VERSIONS} chunks; ` +
    `streaming every row to CSV took ${(pondStream.ms / 1000).toFixed(1)} s`,
);
duck.closeSync();
db.closeSync();
rmSync(dir, { recursive: true, force: true });
