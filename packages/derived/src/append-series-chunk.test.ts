// Series writing: recorded time ranges, the union of versions, and range reads that skip chunks.

import { Float64, Table, Utf8, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { appendSeriesChunk } from "./append-series-chunk.js";
import {
  int64Vector,
  numberVector,
  randomSeries,
  timestampType,
  toParquet,
} from "./testing/fixtures.js";
import { freshPondPerTest } from "./testing/memory-pond.js";

const DAY = 86_400_000;
const pond = freshPondPerTest();

function chunk(times: bigint[], unit: "ms" | "ns" = "ms"): Table {
  return new Table({
    timestamp: int64Vector(timestampType(unit), times),
    value: numberVector(
      new Float64(),
      times.map((_, i) => i),
    ),
  });
}

describe("appendSeriesChunk", () => {
  it("creates the series, then appends versions recording each chunk's time range", async () => {
    const first = await appendSeriesChunk(pond.fs, "/s", await toParquet(chunk([30n, 10n, 20n])));
    expect(first).toMatchObject({
      entryType: "file:series",
      version: 1,
      minEventTime: 10,
      maxEventTime: 30,
      attrs: { timestampColumn: "timestamp", timestampUnit: "ms" },
    });
    const second = await appendSeriesChunk(
      pond.fs.root(),
      "/s",
      await toParquet(chunk([-5n, 50n])),
    );
    expect(second).toMatchObject({ version: 2, minEventTime: -5, maxEventTime: 50 });
    const versions = await pond.fs.root().listFileVersions("/s");
    expect(versions.map((v) => [v.minEventTime, v.maxEventTime])).toEqual([
      [10, 30],
      [-5, 50],
    ]);
  });

  it("records nanosecond ranges as epoch milliseconds rounded outwards", async () => {
    const min = 1_709_208_000_123_456_789n;
    const max = 1_709_208_000_987_654_321n;
    const meta = await appendSeriesChunk(pond.fs, "/ns", await toParquet(chunk([max, min], "ns")));
    expect(meta.minEventTime).toBe(1_709_208_000_123);
    expect(meta.maxEventTime).toBe(1_709_208_000_988);
    expect(meta.attrs?.timestampUnit).toBe("ns");
  });

  it("joins the caller's transaction when given a WD", async () => {
    const before = (await pond.fs.history()).length;
    await pond.fs.transaction(async (root) => {
      await appendSeriesChunk(root, "/s", await toParquet(chunk([1n])));
      await appendSeriesChunk(root, "/s", await toParquet(chunk([2n])));
    });
    expect((await pond.fs.history()).length).toBe(before + 1);
    expect((await pond.fs.root().stat("/s")).version).toBe(2);
  });

  it("rejects what is not a series or not Parquet", async () => {
    await pond.fs.root().writeFile("/t", await toParquet(chunk([1n])), { entryType: "file:table" });
    await expect(
      appendSeriesChunk(pond.fs, "/t", await toParquet(chunk([1n]))),
    ).rejects.toMatchObject({
      code: "EINVAL",
    });
    await expect(
      appendSeriesChunk(pond.fs, "/s", new TextEncoder().encode("nope")),
    ).rejects.toMatchObject({ code: "EINVAL" });
    expect(await pond.fs.root().exists("/s")).toBe(false);
  });
});

describe("the columns of a series", () => {
  const labelled = (times: bigint[], label: string[]) =>
    new Table({
      timestamp: int64Vector(timestampType("ms"), times),
      value: vectorFromArray(label, new Utf8()),
    });

  it("refuses a chunk whose column has another type than in the series, naming the column", async () => {
    await appendSeriesChunk(pond.fs, "/s", await toParquet(chunk([1n, 2n])));
    const error = await appendSeriesChunk(
      pond.fs,
      "/s",
      await toParquet(labelled([3n], ["x"])),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "EINVAL",
      path: "/s",
      detail: 'column "value" is utf8 in this chunk but float64 in the series',
    });
    expect((await pond.fs.root().stat("/s")).version).toBe(1);
  });

  it("takes new columns and chunks without some, recording the union", async () => {
    await appendSeriesChunk(pond.fs, "/s", await toParquet(chunk([1n, 2n])));
    const extra = chunk([3n]).assign(new Table({ humidity: numberVector(new Float64(), [0.5]) }));
    const second = await appendSeriesChunk(pond.fs, "/s", await toParquet(extra));
    const onlyTime = new Table({ timestamp: int64Vector(timestampType("ms"), [4n]) });
    const third = await appendSeriesChunk(pond.fs, "/s", await toParquet(onlyTime));
    const union = [
      ["timestamp", "tsm:UTC"],
      ["value", "g"],
      ["humidity", "g"],
    ];
    expect(JSON.parse(second.attrs?.columns ?? "")).toEqual(union);
    expect(JSON.parse(third.attrs?.columns ?? "")).toEqual(union);
  });

  it("reads the columns of versions written before they were recorded", async () => {
    await pond.fs
      .root()
      .writeFile("/old", await toParquet(chunk([1n])), { entryType: "file:series" });
    await expect(
      appendSeriesChunk(pond.fs, "/old", await toParquet(labelled([2n], ["y"]))),
    ).rejects.toMatchObject({ code: "EINVAL", detail: expect.stringContaining('"value"') });
  });
});

describe("downsampling a series", () => {
  it("is the union of all its versions", async () => {
    const parts = [0, 1, 2].map((seed) =>
      randomSeries({ rows: 2000, unit: "us", seed, centerMs: seed * DAY }),
    );
    for (const part of parts) await appendSeriesChunk(pond.fs, "/s", await toParquet(part));
    const whole = parts.reduce((a, b) => a.concat(b));
    await pond.fs.root().writeFile("/whole", await toParquet(whole), { entryType: "file:table" });
    for (const resolution of ["1m", "1h"]) {
      const series = await pond.manager.getDownsampledTimeseries("/s", resolution);
      const table = await pond.manager.getDownsampledTimeseries("/whole", resolution);
      expect(series.key).not.toBe(table.key);
      expect(Buffer.from(series.bytes).equals(Buffer.from(table.bytes))).toBe(true);
    }
  });

  it("skips chunks a time range excludes, and gives the same result as filtering every row", async () => {
    // Five daily chunks; a range inside day 2 must open one chunk only.
    for (let day = 0; day < 5; day++) {
      const times = Array.from({ length: 100 }, (_, i) => BigInt(day * DAY + i * 60_000));
      await appendSeriesChunk(pond.fs, "/daily", await toParquet(chunk(times)));
    }
    const root = pond.fs.root();
    const reads: Array<number | undefined> = [];
    const readFile = root.readFile.bind(root);
    root.readFile = (path, opts) => {
      reads.push(opts?.version);
      return readFile(path, opts);
    };
    pond.fs.root = () => root;
    const range = { start: 2 * DAY + 10 * 60_000, end: 2 * DAY + 20 * 60_000 };
    const part = await pond.manager.getDownsampledTimeseries("/daily", "1m", { range });
    expect(reads).toEqual([3]);
    expect(pond.manager.stats()).toMatchObject({ chunksRead: 1, chunksSkipped: 4 });

    // The same rows, filtered one by one from every chunk, give the same file.
    const all = await pond.manager.getDownsampledTimeseries("/daily", "1m");
    expect(reads).toEqual([3, 1, 2, 3, 4, 5]);
    const whole = new Table({
      timestamp: int64Vector(
        timestampType("ms"),
        Array.from({ length: 10 }, (_, i) => BigInt(range.start + i * 60_000)),
      ),
      value: numberVector(
        new Float64(),
        Array.from({ length: 10 }, (_, i) => 10 + i),
      ),
    });
    await pond.fs
      .root()
      .writeFile("/expected", await toParquet(whole), { entryType: "file:table" });
    const expected = await pond.manager.getDownsampledTimeseries("/expected", "1m");
    expect(Buffer.from(part.bytes).equals(Buffer.from(expected.bytes))).toBe(true);
    expect(all.size).toBeGreaterThan(part.size);
  });

  it("sees a new chunk as a new version: the result changes, the old one is not served", async () => {
    await appendSeriesChunk(pond.fs, "/s", await toParquet(chunk([0n, 1n])));
    const before = await pond.manager.getDownsampledTimeseries("/s", "1s");
    await appendSeriesChunk(pond.fs, "/s", await toParquet(chunk([1000n])));
    const after = await pond.manager.getDownsampledTimeseries("/s", "1s");
    expect(after.key).not.toBe(before.key);
    expect(after.cached).toBe(false);
    expect(after.inputs[0]?.version).toBe(2);
  });
});
