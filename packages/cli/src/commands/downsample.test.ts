// pond downsample through the built binary: summaries, rows, -o files, ranges and errors.

import { readFile, writeFile } from "node:fs/promises";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const sandbox = useSandbox();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Summary {
  resolution: string;
  resolutionMs: number;
  buckets: number;
  first: number;
  last: number;
  columns: string[];
  rows?: Array<Record<string, number>>;
}

/** /series: two days of one reading per minute, one version per day. */
async function series(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("d1.parquet"), await seriesChunk(0, 1440, 60_000));
  await writeFile(s.path("d2.parquet"), await seriesChunk(DAY, 1440, 60_000));
  await s.ok("copy", "--series", "d1.parquet", "/series");
  await s.ok("copy", "--series", "d2.parquet", "/series");
  return s;
}

describe("pond downsample", () => {
  it("summarises every version of a series per resolution", async () => {
    const s = await series();
    const summaries = (await s.ok("downsample", "/series", "--resolution", "1h,1d", "--json")).json<
      Summary[]
    >();
    expect(
      summaries.map((x) => [x.resolution, x.resolutionMs, x.buckets, x.first, x.last]),
    ).toEqual([
      ["1h", HOUR, 48, 0, 47 * HOUR],
      ["1d", DAY, 2, 0, DAY],
    ]);
    expect(summaries[0]?.columns).toEqual(["value"]);
    const table = (await s.ok("downsample", "/series", "-r", "1h,1d")).out.split("\n");
    expect(table[0]).toMatch(
      /^RESOLUTION\s+BUCKETS\s+FIRST \(UTC\)\s+LAST \(UTC\)\s+BYTES\s+COLUMNS$/,
    );
    expect(table[1]).toMatch(
      /^1h\s+48\s+1970-01-01 00:00:00Z\s+1970-01-02 23:00:00Z\s+\d+\s+value$/,
    );
  });

  it("--head N adds the first buckets", async () => {
    const s = await series();
    const [summary] = (
      await s.ok("downsample", "/series", "-r", "1d", "--head", "1", "--json")
    ).json<Summary[]>();
    expect(summary?.rows).toEqual([
      {
        timestamp: 0,
        "value.min": 0,
        "value.max": 1439,
        "value.avg": 719.5,
        "value.count": 1440,
      },
    ]);
    const out = (await s.ok("downsample", "/series", "-r", "1d", "--head", "2")).out;
    expect(out).toMatch(
      /\/series at 1d, first 2:\n\s+BUCKET \(UTC\)\s+COUNT\s+value min \/ avg \/ max\n/,
    );
    expect(out).toMatch(/1970-01-02 00:00:00Z\s+1440\s+0\.00 \/ 719\.50 \/ 1439\.00\n/);
  });

  it("-o writes the Parquet; several resolutions get one file each", async () => {
    const s = await series();
    await s.ok("downsample", "/series", "-r", "1h", "-o", "hourly.parquet");
    expect((await readParquet(await readFile(s.path("hourly.parquet")))).numRows).toBe(48);
    const { out } = await s.ok("downsample", "/series", "-r", "1h,1d", "-o", "out.parquet");
    expect(out).toMatch(/wrote out\.1h\.parquet, out\.1d\.parquet\n$/);
    expect((await readParquet(await readFile(s.path("out.1h.parquet")))).numRows).toBe(48);
    expect((await readParquet(await readFile(s.path("out.1d.parquet")))).numRows).toBe(2);
  });

  it("--start and --end keep only rows in the range", async () => {
    const s = await series();
    const [summary] = (
      await s.ok("downsample", "/series", "-r", "1h", "--start", "1970-01-02T00:00:00Z", "--json")
    ).json<Summary[]>();
    expect([summary?.buckets, summary?.first]).toEqual([24, DAY]);
  });

  it("--at downsamples the series as of an earlier version", async () => {
    const s = await series();
    const [summary] = (await s.ok("downsample", "/series", "-r", "1d", "--at", "1", "--json")).json<
      Summary[]
    >();
    expect(summary?.buckets).toBe(1);
  });

  it("needs --resolution, and a valid one (usage errors)", async () => {
    const s = await series();
    const missing = await s.pond("downsample", "/series");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^pond: USAGE: missing --resolution\n/);
    const invalid = await s.pond("downsample", "/series", "-r", "1 fortnight");
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/^pond: USAGE: invalid resolution/);
  });

  it("fails with ENOENT for a missing path and EINVAL for a file that is not Parquet", async () => {
    const s = await series();
    const missing = await s.pond("downsample", "/nope", "-r", "1h");
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("pond: ENOENT: /nope: no such file or directory\n");
    await writeFile(s.path("a.txt"), "not parquet");
    await s.ok("copy", "a.txt", "/a.txt");
    const text = await s.pond("downsample", "/a.txt", "-r", "1h");
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/^pond: EINVAL: \/a\.txt: /);
  });
});
