// The correctness oracle: DuckDB computing the same downsampling with GROUP BY.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface Oracle {
  /** Writes bytes to a temp file and returns its path. */
  file(name: string, bytes: Uint8Array): string;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): void;
}

export async function openOracle(): Promise<Oracle> {
  const dir = mkdtempSync(join(tmpdir(), "pond-derived-"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection: DuckDBConnection = await instance.connect();
  // Floor division that is exact on BIGINT (DuckDB's // truncates towards zero).
  await connection.run("CREATE MACRO fdiv(a, b) AS (a - (((a % b) + b) % b)) // b");
  return {
    file(name, bytes) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    async query(sql) {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<
        Record<string, unknown>
      >;
    },
    close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OracleColumn {
  name: string;
  /** Floats get NaN mapped to NULL: pond treats NaN as null, DuckDB does not. */
  float: boolean;
}

/**
 * The expected downsampling of the Parquet file at `path`: one row per bucket
 * with `bucket` (epoch ms), and per column min, max, avg, count and avg of
 * absolute values (the scale for comparing averages). Buckets use exact
 * integer floor division of epoch nanoseconds (`epochNs`, an SQL expression),
 * avoiding time_bucket's origin.
 *
 * DuckDB quirks the tests steer around: a UTC-adjusted nanosecond Parquet
 * timestamp is read as TIMESTAMPTZ, in microseconds truncated towards zero
 * (a naive one is read as TIMESTAMP_NS, exactly); a seconds timestamp, which
 * Parquet cannot annotate, is a plain BIGINT to DuckDB.
 */
export function oracleSql(
  path: string,
  timeColumn: string,
  resolutionMs: number,
  columns: OracleColumn[],
  range: { startMs?: number; endMs?: number } = {},
  epochNs = `epoch_ns("${timeColumn}")`,
): string {
  const ms = `fdiv(${epochNs}, 1000000)`;
  const value = (c: OracleColumn) =>
    c.float ? `CASE WHEN isnan("${c.name}") THEN NULL ELSE "${c.name}" END` : `"${c.name}"`;
  const aggregates = columns.flatMap((c) => [
    `CAST(min(${value(c)}) AS DOUBLE) AS "${c.name}.min"`,
    `CAST(max(${value(c)}) AS DOUBLE) AS "${c.name}.max"`,
    `avg(${value(c)}) AS "${c.name}.avg"`,
    `count(${value(c)}) AS "${c.name}.count"`,
    `avg(abs(CAST(${value(c)} AS DOUBLE))) AS "${c.name}.scale"`,
  ]);
  const where = [`"${timeColumn}" IS NOT NULL`];
  if (range.startMs !== undefined) where.push(`${ms} >= ${range.startMs}`);
  if (range.endMs !== undefined) where.push(`${ms} < ${range.endMs}`);
  return `SELECT fdiv(${ms}, ${resolutionMs}) * ${resolutionMs} AS bucket, ${aggregates.join(", ")}
    FROM read_parquet('${path}') WHERE ${where.join(" AND ")} GROUP BY 1 ORDER BY 1`;
}

/** pond's output read back by DuckDB, bucket start as epoch ms. */
export function pondSql(path: string, columns: OracleColumn[]): string {
  const stats = columns.flatMap((c) =>
    ["min", "max", "avg", "count"].map((s) => `"${c.name}.${s}"`),
  );
  return `SELECT epoch_ms("timestamp") AS bucket, ${stats.join(", ")} FROM read_parquet('${path}')`;
}
