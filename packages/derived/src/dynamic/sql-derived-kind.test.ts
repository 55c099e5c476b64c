// sql-derived nodes and queries through dynamic nodes, in memory and on a real Delta table, the
// results compared with DuckDB reading the same chunks: configs, caching, time travel, errors.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryPersistence } from "@pond/persistence-memory";
import { createOplogFs, nativeQueryEngine } from "@pond/persistence-oplog";
import { FS } from "@pond/tinyfs";
import type { Table } from "apache-arrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "../append-series-chunk.js";
import { DerivedFileManager } from "../derived-file-manager.js";
import { readParquet } from "../parquet-io.js";
import { type Oracle, openOracle } from "../testing/duckdb-oracle.js";
import { randomSeries, toParquet } from "../testing/fixtures.js";
import type { DynamicKind } from "./dynamic-kind.js";
import { writeDynamicNode } from "./dynamic-nodes.js";
import { sqlDerivedSeriesKind, sqlDerivedTableKind } from "./sql-derived-kind.js";
import { temporalReduceKind } from "./temporal-reduce-kind.js";

const TABLE = sqlDerivedTableKind as DynamicKind;
const SERIES = sqlDerivedSeriesKind as DynamicKind;

const scratch = mkdtempSync(join(tmpdir(), "pond-sql-derived-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;
const BACKENDS: Array<[string, () => Promise<FS>]> = [
  ["memory", async () => new FS(new MemoryPersistence(), { queryEngine: nativeQueryEngine })],
  ["oplog", () => createOplogFs(join(scratch, `pond-${next++}`))],
];

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});
afterAll(() => oracle.close());

/** Integers as numbers, floats to 9 significant digits, so that both engines' rows compare. */
function normal(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  }
  return value ?? null;
}

function rows(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normal(v)])));
}

function tableRows(table: Table): Record<string, unknown>[] {
  return rows(table.toArray().map((row) => row.toJSON() as Record<string, unknown>));
}

const PER_STATION = `SELECT _path AS station, count(*) AS n, sum(i32) AS s, min(f32) AS lo
  FROM w GROUP BY _path ORDER BY _path`;

describe.each(BACKENDS)("sql-derived (%s backend)", (_name, create) => {
  let fs: FS;
  let managers: DerivedFileManager[];
  /** Each station's chunk files, for DuckDB. */
  let files: Record<string, string[]>;

  async function append(station: string, seed: number): Promise<void> {
    const chunk = await toParquet(randomSeries({ rows: 300, unit: "ms", seed, centerMs: 1.7e12 }));
    await appendSeriesChunk(fs, `/sensors/${station}/weather`, chunk);
    const list = files[station] ?? [];
    list.push(oracle.file(`${station}-${seed}-${next++}.parquet`, chunk));
    files[station] = list;
  }

  /** DuckDB's view `w`: every chunk of every station, with the station's pond path. */
  async function duckStations(): Promise<void> {
    const parts = Object.entries(files)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([station, list]) =>
          `SELECT '/sensors/${station}/weather' AS _path, * FROM read_parquet([${list.map((f) => `'${f}'`).join(", ")}], union_by_name = true)`,
      );
    await oracle.query(`CREATE OR REPLACE VIEW w AS ${parts.join(" UNION ALL BY NAME ")}`);
  }

  function managerOf(source: FS): DerivedFileManager {
    const manager = new DerivedFileManager(source);
    managers.push(manager);
    return manager;
  }

  beforeEach(async () => {
    fs = await create();
    managers = [];
    files = {};
    for (const station of ["north", "south"]) {
      await fs.root().createDirPath(`/sensors/${station}`, { recursive: true });
    }
    await append("north", 1);
    await append("north", 2);
    await append("south", 3);
    await fs.root().createDirPath("/views");
  });

  afterEach(async () => {
    for (const m of managers) await m.close();
    await fs.close();
  });

  it("is one file: its query over its patterns, as DuckDB computes it", async () => {
    await writeDynamicNode(fs.root(), TABLE, "/views/stations", {
      patterns: { w: "/sensors/*/weather" },
      query: PER_STATION,
    });
    const manager = managerOf(fs);
    const stat = await manager.dynamic.stat("/views/stations");
    expect(stat).toMatchObject({ entryType: "file:table", kind: "sql-derived-table" });
    const file = await manager.dynamic.readFile("/views/stations");
    expect(file.inputs.map((i) => i.path)).toEqual([
      "/sensors/north/weather",
      "/sensors/south/weather",
    ]);
    await duckStations();
    const mine = tableRows(await readParquet(file.bytes));
    expect(mine).toEqual(rows(await oracle.query(PER_STATION)));
    expect(mine.map((r) => r.n)).toEqual([600, 300]);
  });

  it("joins tables of several patterns; a path's table is every version of its series", async () => {
    const query = `SELECT count(*) AS n, sum(w.i64) AS s FROM north JOIN w
      ON north.timestamp = w.timestamp AND north.label = w.label`;
    await writeDynamicNode(fs.root(), TABLE, "/views/joined", {
      patterns: { north: "/sensors/north/weather", w: "/sensors/*/weather" },
      query,
    });
    const file = await managerOf(fs).dynamic.readFile("/views/joined");
    await duckStations();
    const north = files.north?.map((f) => `'${f}'`).join(", ");
    await oracle.query(
      `CREATE OR REPLACE VIEW north AS SELECT * FROM read_parquet([${north}], union_by_name = true)`,
    );
    expect(tableRows(await readParquet(file.bytes))).toEqual(rows(await oracle.query(query)));
  });

  it("is cached by its config and input versions, and recomputed for a new version", async () => {
    await writeDynamicNode(fs.root(), TABLE, "/views/stations", {
      patterns: { w: "/sensors/*/weather" },
      query: PER_STATION,
    });
    const manager = managerOf(fs);
    const first = await manager.dynamic.readFile("/views/stations");
    const again = await manager.dynamic.readFile("/views/stations");
    expect(again.cached).toBe(true);
    expect(again.key).toBe(first.key);
    const then = await fs.version();
    await append("south", 4);
    const now = await manager.dynamic.readFile("/views/stations");
    expect(now.cached).toBe(false);
    expect(tableRows(await readParquet(now.bytes)).map((r) => r.n)).toEqual([600, 600]);
    // A view of the older version computes from the inputs as they were then.
    const old = managerOf(await fs.atVersion(then));
    const before = await old.dynamic.readFile("/views/stations");
    expect(tableRows(await readParquet(before.bytes)).map((r) => r.n)).toEqual([600, 300]);
  });

  it("sql-derived-series records its time column, and a query's timeRange prunes by it", async () => {
    await writeDynamicNode(fs.root(), SERIES, "/views/north", {
      patterns: { source: "/sensors/north/weather" },
    });
    const manager = managerOf(fs);
    const file = await manager.dynamic.readFile("/views/north");
    expect(file.entryType).toBe("file:series");
    expect(file.attrs.timestampColumn).toBe("timestamp");
    expect((await readParquet(file.bytes)).numRows).toBe(600);
    const start = 1.7e12;
    const counted = await fs.query("SELECT count(*) AS n FROM t", {
      tables: { t: "/views/north" },
      timeRange: { start },
      dynamic: manager.dynamic,
    });
    const north = files.north?.map((f) => `'${f}'`).join(", ");
    const duck = await oracle.query(
      `SELECT count(*) AS n FROM read_parquet([${north}]) WHERE timestamp >= make_timestamptz(${start * 1000})`,
    );
    expect(tableRows(counted)).toEqual(rows(duck));
    await writeDynamicNode(fs.root(), SERIES, "/views/untimed", {
      patterns: { source: "/sensors/north/weather" },
      query: "SELECT label FROM source",
    });
    await expect(manager.dynamic.readFile("/views/untimed")).rejects.toMatchObject({
      code: "EINVAL",
    });
  });

  it("reports bad SQL, an unknown table and a pattern matching nothing against the node", async () => {
    const manager = managerOf(fs);
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ["syntax", { w: "/sensors/*/weather" }, "SELEC 1", "EINVAL"],
      ["table", { w: "/sensors/*/weather" }, "SELECT * FROM nope", "EINVAL"],
      ["column", { w: "/sensors/*/weather" }, "SELECT nope FROM w", "EINVAL"],
      ["none", { w: "/sensors/*/rain" }, "SELECT * FROM w", "ENOENT"],
    ];
    for (const [name, patterns, query, code] of cases) {
      await writeDynamicNode(fs.root(), TABLE, `/views/${name}`, { patterns, query });
      const read = manager.dynamic.readFile(`/views/${name}`);
      await expect(read, name).rejects.toMatchObject({ code, path: `/views/${name}` });
    }
    await expect(manager.dynamic.readFile("/views/table")).rejects.toThrow(/nope/);
  });

  it("refuses a bad config with EINVAL naming the key, committing nothing", async () => {
    const version = await fs.version();
    const bad: Array<[unknown, string]> = [
      [{ patterns: {} }, "config.patterns: must name at least one table"],
      [{ patterns: { "a-b": "/x" } }, "config.patterns.a-b: a table name is letters"],
      [{ patterns: { t: "x" } }, "config.patterns.t: must be an absolute path pattern"],
      [{ patterns: { t: "/x" } }, "config.query: missing (the default"],
      [{ patterns: { source: "/x" }, sql: "SELECT 1" }, "config.sql: unknown key"],
    ];
    for (const [config, message] of bad) {
      await expect(writeDynamicNode(fs.root(), TABLE, "/views/bad", config)).rejects.toThrow(
        `sql-derived-table ${message}`,
      );
    }
    expect(await fs.version()).toBe(version);
    expect(await fs.root().exists("/views/bad")).toBe(false);
  });

  it("queries reach computed files: a temporal-reduce output, and a glob through its directory", async () => {
    await writeDynamicNode(fs.root(), TABLE, "/views/stations", {
      patterns: { w: "/sensors/*/weather" },
      query: PER_STATION,
    });
    await writeDynamicNode(fs.root(), temporalReduceKind as DynamicKind, "/views/weather", {
      in_pattern: "/sensors/*/weather",
      out_pattern: "station-$0",
      resolutions: ["1h"],
      aggregations: [{ columns: "i32", ops: ["sum", "count"] }],
    });
    const manager = managerOf(fs);
    const hourly = await manager.dynamic.readFile("/views/weather/station-north/res=1h.series");
    const sql = 'SELECT sum("i32.count") AS n, sum("i32.sum") AS s FROM t';
    const one = await fs.query(sql, {
      tables: { t: "/views/weather/station-north/res=1h.series" },
      dynamic: manager.dynamic,
    });
    const path = oracle.file(`hourly-${next++}.parquet`, hourly.bytes);
    const duck = await oracle.query(
      `SELECT sum("i32.count") AS n, sum("i32.sum") AS s FROM read_parquet('${path}')`,
    );
    expect(tableRows(one)).toEqual(rows(duck));
    const all = await fs.query(
      "SELECT _path, count(*) AS buckets FROM t GROUP BY _path ORDER BY _path",
      {
        tables: { t: "/views/*/station-*/res=1h.series" },
        dynamic: manager.dynamic,
      },
    );
    expect(tableRows(all).map((r) => r._path)).toEqual([
      "/views/weather/station-north/res=1h.series",
      "/views/weather/station-south/res=1h.series",
    ]);
    const globbed = [];
    for await (const m of fs.root().glob("/views/**/res=1h.series", { dynamic: manager.dynamic })) {
      globbed.push([m.path, m.dynamicNode]);
    }
    expect(globbed).toEqual([
      ["/views/weather/station-north/res=1h.series", "/views/weather"],
      ["/views/weather/station-south/res=1h.series", "/views/weather"],
    ]);
    const views = await fs.root().openDirPath("/views");
    const relative = [];
    for await (const m of views.glob("*/station-s*/*", { dynamic: manager.dynamic })) {
      relative.push([m.path, m.captures, m.entry.entryType]);
    }
    expect(relative).toEqual([
      ["weather/station-south/res=1h.series", ["weather", "outh", "res=1h.series"], "file:table"],
    ]);
    const below = [];
    for await (const m of fs.root().glob("/views/weather/**", { dynamic: manager.dynamic })) {
      below.push(m.path);
    }
    expect(below).toEqual([
      "/views/weather/station-north",
      "/views/weather/station-north/res=1h.series",
      "/views/weather/station-south",
      "/views/weather/station-south/res=1h.series",
    ]);
    const above = [];
    for await (const m of fs.root().glob("/views/**", { dynamic: manager.dynamic })) {
      above.push(m.path);
    }
    expect(above).toEqual(["/views/stations", "/views/weather"]);
    // Without a reader a dynamic node is a file like any other.
    const plain = [];
    for await (const m of fs.root().glob("/views/*/station-*/res=1h.series")) plain.push(m.path);
    expect(plain).toEqual([]);
    await expect(
      fs.query("SELECT 1", { tables: { t: "/views/weather" }, dynamic: manager.dynamic }),
    ).rejects.toMatchObject({ code: "EINVAL" });
    // A glob leaves the computed directories out, as it leaves stored ones out.
    const computedTables = await fs.query("SELECT DISTINCT _path FROM t ORDER BY _path", {
      tables: { t: "/views/*" },
      dynamic: manager.dynamic,
    });
    expect(tableRows(computedTables)).toEqual([{ _path: "/views/stations" }]);
    await expect(
      fs.query("SELECT 1", {
        tables: { t: "/views/weather/station-east/res=1h.series" },
        dynamic: manager.dynamic,
      }),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("sql-derived with a writer committing while the query runs", () => {
  it("fails with CONFLICT rather than cache a result under the older inputs", async () => {
    let writes = 0;
    let concurrent: (() => Promise<void>) | undefined;
    const fs = new FS(new MemoryPersistence(), {
      queryEngine: {
        async run(sql, tables) {
          const run = await nativeQueryEngine.run(sql, tables);
          // Another writer's commit, landing after the tables resolved.
          await concurrent?.();
          return run;
        },
      },
    });
    const chunk = () => toParquet(randomSeries({ rows: 50, unit: "ms", seed: ++writes }));
    await fs.root().createDirPath("/s", { recursive: true });
    await appendSeriesChunk(fs, "/s/weather", await chunk());
    await writeDynamicNode(fs.root(), TABLE, "/q", {
      patterns: { source: "/s/weather" },
      query: "SELECT count(*) AS n FROM source",
    });
    const manager = new DerivedFileManager(fs);
    concurrent = async () => {
      concurrent = undefined;
      await appendSeriesChunk(fs, "/s/weather", await chunk());
    };
    await expect(manager.dynamic.readFile("/q")).rejects.toMatchObject({
      code: "CONFLICT",
      path: "/s/weather",
    });
    // Read again, it is the newest inputs' result.
    const file = await manager.dynamic.readFile("/q");
    expect(tableRows(await readParquet(file.bytes))).toEqual([{ n: 100 }]);
    await manager.close();
    await fs.close();
  });
});
