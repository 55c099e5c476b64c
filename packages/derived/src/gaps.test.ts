// The gaps computation: outages of a table or a series, checked by hand and against DuckDB.

import { Float64, Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { appendSeriesChunk } from "./append-series-chunk.js";
import { readParquet } from "./parquet-io.js";
import {
  int64Vector,
  numberVector,
  randomSeries,
  timestampType,
  toParquet,
} from "./testing/fixtures.js";
import { freshPondPerTest } from "./testing/memory-pond.js";

const MINUTE = 60_000;

const pond = freshPondPerTest();

/** Readings at these minutes (null for a row without a time), as Parquet with a µs timestamp. */
function readings(minutes: Array<number | null>): Promise<Uint8Array> {
  return toParquet(
    new Table({
      timestamp: int64Vector(
        timestampType("us"),
        minutes.map((m) => (m === null ? null : BigInt(m * MINUTE * 1000))),
      ),
      value: numberVector(
        new Float64(),
        minutes.map((_, i) => i),
      ),
    }),
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** [start, end, duration] in minutes, per gap. */
async function gapsOf(bytes: Uint8Array): Promise<Array<[number, number, number]>> {
  const table = await readParquet(bytes);
  expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
    "start:Timestamp<MILLISECOND, UTC>",
    "end:Timestamp<MILLISECOND, UTC>",
    "duration_ms:Int64",
  ]);
  return table
    .toArray()
    .map((row) => [
      Number(row.start) / MINUTE,
      Number(row.end) / MINUTE,
      Number(row.duration_ms) / MINUTE,
    ]);
}

describe("the gaps computation", () => {
  it("reports each span between consecutive rows longer than asked for, in time order", async () => {
    const minutes = [...range(21, 41), null, ...range(0, 10), 9, ...range(46, 51)];
    await pond.fs
      .root()
      .writeFile("/t.parquet", await readings(minutes), { entryType: "file:table" });
    const [five] = await pond.manager.derive("gaps", "/t.parquet", { longerThan: "5m" });
    expect(five?.path).toBe(`/gaps/${five?.key}.parquet`);
    expect(five?.entryType).toBe("file:table");
    expect(await gapsOf(five?.bytes as Uint8Array)).toEqual([
      [9, 21, 12],
      [40, 46, 6],
    ]);
    // Exclusive: a gap of exactly six minutes is not longer than six.
    const [six] = await pond.manager.derive("gaps", "/t.parquet", { longerThan: 6 * MINUTE });
    expect(await gapsOf(six?.bytes as Uint8Array)).toEqual([[9, 21, 12]]);
    const [none] = await pond.manager.derive("gaps", "/t.parquet", { longerThan: "1h" });
    expect(await gapsOf(none?.bytes as Uint8Array)).toEqual([]);
  });

  it("reads a series' chunks in any order, skips those outside the range, and follows new versions", async () => {
    await appendSeriesChunk(pond.fs, "/s", await readings(range(0, 10)));
    await appendSeriesChunk(pond.fs, "/s", await readings(range(30, 40)));
    await appendSeriesChunk(pond.fs, "/s", await readings(range(10, 15)));
    const [before] = await pond.manager.derive("gaps", "/s", { longerThan: "5m" });
    expect(await gapsOf(before?.bytes as Uint8Array)).toEqual([[14, 30, 16]]);

    const [late] = await pond.manager.derive("gaps", "/s", {
      longerThan: "5m",
      range: { start: 30 * MINUTE, end: 60 * MINUTE },
    });
    expect(await gapsOf(late?.bytes as Uint8Array)).toEqual([]);
    expect(pond.manager.stats()).toMatchObject({ chunksRead: 4, chunksSkipped: 2 });

    await appendSeriesChunk(pond.fs, "/s", await readings(range(15, 30)));
    const [after] = await pond.manager.derive("gaps", "/s", { longerThan: "5m" });
    expect(after?.key).not.toBe(before?.key);
    expect(after?.cached).toBe(false);
    expect(await gapsOf(after?.bytes as Uint8Array)).toEqual([]);
  });

  it("agrees with DuckDB's lead() over random times with duplicates, nulls and clusters", async () => {
    const bytes = await toParquet(randomSeries({ rows: 5_000, unit: "ms", seed: 7 }));
    await pond.fs.root().writeFile("/r.parquet", bytes, { entryType: "file:table" });
    const [file] = await pond.manager.derive("gaps", "/r.parquet", { longerThan: "10m" });
    const { openOracle } = await import("./testing/duckdb-oracle.js");
    const oracle = await openOracle();
    try {
      const path = oracle.file("r.parquet", bytes);
      const expected = await oracle.query(
        `SELECT epoch_ms(t) AS s, epoch_ms(n) AS e FROM (
           SELECT t, lead(t) OVER (ORDER BY t) AS n
           FROM (SELECT DISTINCT timestamp AS t FROM read_parquet('${path}') WHERE timestamp IS NOT NULL))
         WHERE epoch_ms(n) - epoch_ms(t) > ${10 * MINUTE} ORDER BY s`,
      );
      expect(expected.length).toBeGreaterThan(2);
      const table = await readParquet(file?.bytes as Uint8Array);
      expect(table.toArray().map((r) => [Number(r.start), Number(r.end)])).toEqual(
        expected.map((r) => [Number(r.s), Number(r.e)]),
      );
    } finally {
      oracle.close();
    }
  });

  it("rejects a missing or invalid span and an empty range with EINVAL", async () => {
    await pond.fs
      .root()
      .writeFile("/t.parquet", await readings([0, 1]), { entryType: "file:table" });
    for (const options of [
      {},
      undefined,
      { longerThan: "0m" },
      { longerThan: "soon" },
      { longerThan: "1m", range: { start: 5, end: 5 } },
      { longerThan: "1m", timestampUnit: "days" },
    ]) {
      await expect(pond.manager.derive("gaps", "/t.parquet", options)).rejects.toMatchObject({
        code: "EINVAL",
      });
    }
    expect(pond.manager.stats()).toMatchObject({ computations: 0, entries: 0 });
  });
});
