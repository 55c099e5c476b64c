// CSV into a pond: a file:table, series chunks with their time ranges, and nothing written on bad text.

import { describe, expect, it } from "vitest";
import { importCsv } from "./import-csv.js";
import { readParquet } from "./parquet-io.js";
import { freshPondPerTest } from "./testing/memory-pond.js";

const pond = freshPondPerTest();

function text(value: string): () => AsyncIterable<Uint8Array> {
  return async function* () {
    yield new TextEncoder().encode(value);
  };
}

describe("importCsv", () => {
  it("writes a file:table, and a new version of it on a second import", async () => {
    const first = await importCsv(pond.fs, "/t.parquet", text("a,b\n1,x\n2,y\n"));
    expect(first).toMatchObject({ entryType: "file:table", version: 1 });
    const second = await importCsv(pond.fs, "/t.parquet", text("a,b\n3,z\n"));
    expect(second.version).toBe(2);
    const table = await readParquet(await pond.fs.root().readFile("/t.parquet"));
    expect(table.toArray().map((r) => r.toJSON())).toEqual([{ a: 3n, b: "z" }]);
  });

  it("appends series chunks recording their event-time range and columns", async () => {
    const day1 = "time,temp\n2024-01-01T00:00:00Z,1\n2024-01-01T12:00:00+02:00,2\n";
    const first = await importCsv(pond.fs, "/s", text(day1), { series: true });
    expect(first).toMatchObject({
      entryType: "file:series",
      minEventTime: Date.UTC(2024, 0, 1),
      maxEventTime: Date.UTC(2024, 0, 1, 10),
      attrs: {
        timestampColumn: "time",
        timestampUnit: "us",
        columns: JSON.stringify([
          ["time", "tsu:UTC"],
          ["temp", "l"],
        ]),
      },
    });
  });

  it("reads a chunk with the series' column types, so a narrower-looking chunk still fits", async () => {
    await importCsv(pond.fs, "/s", text("time,temp\n2024-01-01T00:00:00Z,1.5\n"), { series: true });
    // Alone, this chunk's `temp` would be read as int64.
    const second = await importCsv(pond.fs, "/s", text("time,temp,site\n2024-01-02T00:00Z,2,n\n"), {
      series: true,
    });
    expect(JSON.parse(second.attrs?.columns ?? "")).toEqual([
      ["time", "tsu:UTC"],
      ["temp", "g"],
      ["site", "u"],
    ]);
    const chunk = await readParquet(await pond.fs.root().readFile("/s"));
    expect(chunk.getChild("temp")?.toArray()).toEqual(new Float64Array([2]));
  });

  it("writes a schema's epoch column in the series' own timestamp unit", async () => {
    await importCsv(pond.fs, "/s", text("time,v\n2024-01-01T00:00:00Z,1\n"), { series: true });
    const meta = await importCsv(pond.fs, "/s", text("time,v\n1704153600,2\n"), {
      series: true,
      schema: { time: "timestamp[s]" },
    });
    expect(meta).toMatchObject({ minEventTime: 1_704_153_600_000, attrs: { timestampUnit: "us" } });
    const chunk = await readParquet(await pond.fs.root().readFile("/s"));
    expect(String(chunk.getChild("time")?.type)).toBe("Timestamp<MICROSECOND, UTC>");
  });

  it("takes an integer epoch time column with a schema, and names the time column when asked", async () => {
    const csv = "at,ts_like,v\n1700000000,5,1\n1700000060,6,2\n";
    const meta = await importCsv(pond.fs, "/e", text(csv), {
      series: true,
      schema: { at: "timestamp[s]" },
    });
    expect(meta).toMatchObject({
      minEventTime: 1_700_000_000_000,
      maxEventTime: 1_700_000_060_000,
      attrs: { timestampColumn: "at", timestampUnit: "ms" },
    });
    const named = await importCsv(pond.fs, "/n", text("ts,v\n10,1\n20,2\n"), {
      series: true,
      timestampColumn: "ts",
      timestampUnit: "s",
    });
    expect(named).toMatchObject({ minEventTime: 10_000, maxEventTime: 20_000 });
  });

  it("writes nothing when a row is bad, a chunk does not fit the series, or there is no time", async () => {
    await importCsv(pond.fs, "/s", text("time,temp\n2024-01-01T00:00:00Z,1\n"), { series: true });
    const before = (await pond.fs.history()).length;
    await expect(
      importCsv(pond.fs, "/s", text("time,temp\n2024-01-02T00:00:00Z,2\n2024-01-02,warm\n"), {
        series: true,
      }),
    ).rejects.toThrow('EINVAL: /s:3:12: column "temp": "warm" is not a 64-bit integer');
    await expect(
      importCsv(pond.fs, "/s", text("time,temp\n2024-01-02,2\n"), {
        series: true,
        schema: { temp: "string" },
      }),
    ).rejects.toThrow('EINVAL: column "temp" is utf8 in this chunk but int64 in the series: /s');
    await expect(
      importCsv(pond.fs, "/u", text("a,b\n1,2\n"), { series: true }),
    ).rejects.toMatchObject({
      code: "EINVAL",
      message: expect.stringMatching(/^EINVAL: no time column/),
    });
    await expect(importCsv(pond.fs, "/t", text("a,b\n1\n"), { name: "in.csv" })).rejects.toThrow(
      "EINVAL: in.csv:2:1: 1 fields where the header has 2",
    );
    await expect(importCsv(pond.fs, "/s", text("a\n1\n"))).rejects.toMatchObject({
      code: "EINVAL",
    });
    expect((await pond.fs.history()).length).toBe(before);
    expect((await pond.fs.root().stat("/s")).version).toBe(1);
    expect(await pond.fs.root().exists("/t")).toBe(false);
  });

  it("joins the caller's transaction when given a WD", async () => {
    const before = (await pond.fs.history()).length;
    await pond.fs.transaction(async (root) => {
      await importCsv(root, "/a.parquet", text("x\n1\n"));
      await importCsv(root, "/b.parquet", text("x\n2\n"));
    });
    expect((await pond.fs.history()).length).toBe(before + 1);
  });
});
