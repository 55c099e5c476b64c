// pond plot through the built binary: the chart read back agrees with pond downsample.

import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { findChromium } from "../charts/chromium-png.js";
import { readChartSvg } from "../testing/chart-reader.js";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const sandbox = useSandbox();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** /series: a reading a minute on days 0, 1 and 3 (day 2 missing), one version per day. */
async function series(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  for (const day of [0, 1, 3]) {
    await writeFile(s.path(`d${day}.parquet`), await seriesChunk(day * DAY, 1440, 60_000));
    await s.ok("copy", "--series", `d${day}.parquet`, "/series");
  }
  return s;
}

/** pond downsample's buckets: start and mean of `value`. */
async function downsampled(s: Sandbox, resolution: string): Promise<Array<[number, number]>> {
  await s.ok("downsample", "/series", "-r", resolution, "-o", "expected.parquet");
  const table = await readParquet(new Uint8Array(await readFile(s.path("expected.parquet"))));
  const rows: Array<[number, number]> = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push([
      Number(table.getChild("timestamp")?.get(i)),
      Number(table.getChild("value.avg")?.get(i)),
    ]);
  }
  return rows;
}

interface PlotJson {
  output: string;
  resolution: string;
  resolutionMs: number;
  start: number;
  end: number;
  panels: Array<{ path: string; column: string; buckets: number }>;
}

describe("pond plot", () => {
  it("draws one mean point per bucket of the downsample, and a gap where a day is missing", async () => {
    const s = await series();
    const out = await s.ok("plot", "/series", "-r", "1h", "-o", "chart.svg");
    expect(out.out).toBe("wrote chart.svg: 1 panel, 1h buckets (72 in all)\n");
    const [panel, ...others] = readChartSvg(await readFile(s.path("chart.svg"), "utf8"));
    expect(others).toEqual([]);
    expect(panel?.label).toBe("value");
    // Days 0-1 and day 3: two stretches of line and of band.
    expect(panel?.line.map((stretch) => stretch.length)).toEqual([48, 24]);
    expect(panel?.bandStretches).toBe(2);
    const expected = await downsampled(s, "1h");
    const drawn = panel?.line.flat() ?? [];
    expect(drawn).toHaveLength(expected.length);
    const tolerance = (panel?.valuePerPixel ?? 0) * 0.01;
    for (const [i, [start, avg]] of expected.entries()) {
      expect(Math.abs((drawn[i]?.t ?? 0) - (start + HOUR / 2))).toBeLessThan(1000);
      expect(Math.abs((drawn[i]?.value ?? 0) - avg)).toBeLessThanOrEqual(tolerance);
    }
  });

  it("auto picks the round resolution of about one bucket per pixel column", async () => {
    const s = await series();
    for (const [width, resolution] of [
      ["960", "5m"],
      ["400", "15m"],
    ] as const) {
      const result = (
        await s.ok("plot", "/series", "-o", "c.svg", "--width", width, "--json")
      ).json<PlotJson>();
      expect(result.resolution).toBe(resolution);
      const columns = Number(width) - 76;
      const bucketsPerColumn = (result.end - result.start) / result.resolutionMs / columns;
      expect(bucketsPerColumn).toBeGreaterThan(0.6);
      expect(bucketsPerColumn).toBeLessThan(1.6);
      expect(result.start).toBe(0);
      expect(result.end).toBe(4 * DAY);
    }
  });

  it("--start, --end, --columns and --at narrow what is drawn", async () => {
    const s = await series();
    const result = (
      await s.ok(
        "plot",
        "/series",
        "--start",
        "1970-01-01T06:00Z",
        "--end",
        String(DAY),
        "-r",
        "1h",
        "--columns",
        "value",
        "--at",
        "1",
        "-o",
        "c.svg",
        "--json",
      )
    ).json<PlotJson>();
    expect([result.start, result.end, result.resolution]).toEqual([6 * HOUR, DAY, "1h"]);
    expect(result.panels).toEqual([{ path: "/series", column: "value", buckets: 18 }]);
    const [panel] = readChartSvg(await readFile(s.path("c.svg"), "utf8"));
    expect(panel?.line.flat()).toHaveLength(18);
  });

  it("writes the chart inline in a page with .html, labelled per path with several paths", async () => {
    const s = await series();
    await s.ok("ln", "-s", "/series", "/alias");
    await s.ok("plot", "/series", "/alias", "-r", "1d", "-o", "chart.html");
    const html = await readFile(s.path("chart.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script");
    expect(readChartSvg(html).map((p) => [p.label, p.line.flat().length])).toEqual([
      ["/series: value", 3],
      ["/alias: value", 3],
    ]);
    expect(html).toContain("time (UTC)");
  });

  it.skipIf(findChromium(process.env) === undefined)("draws PNG through Chromium", async () => {
    const s = await series();
    await s.ok("plot", "/series", "-o", "chart.png", "--width", "640");
    const png = await readFile(s.path("chart.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(640);
  });

  it("says plainly that PNG needs Chromium where there is none, and writes nothing", async () => {
    const s = await series();
    const run = await s.run(["--pond", s.pondDir, "plot", "/series", "-o", "chart.png"], {
      PATH: "/nonexistent",
      POND_CHROMIUM: undefined,
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^pond: ENOENT: chart\.png: PNG needs Chromium, and none was found/);
    expect(existsSync(s.path("chart.png"))).toBe(false);
  });

  it("rejects what it cannot draw", async () => {
    const s = await series();
    const cases: Array<[string[], number, RegExp]> = [
      [["plot", "/series"], 2, /^pond: USAGE: missing -o FILE/],
      [
        ["plot", "/series", "-o", "c.pdf"],
        2,
        /^pond: USAGE: -o needs a file ending in \.svg, \.html or \.png/,
      ],
      [["plot", "/series", "-o", "c.svg", "-r", "fast"], 2, /^pond: USAGE: .*resolution/],
      [
        ["plot", "/series", "-o", "c.svg", "--start", "soon"],
        2,
        /^pond: USAGE: --start needs a time/,
      ],
      [["plot", "/nope", "-o", "c.svg"], 1, /^pond: ENOENT: \/nope/],
      [
        ["plot", "/series", "-o", "c.svg", "--start", "0", "--end", "0"],
        1,
        /^pond: EINVAL: .*empty/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = await s.pond(...args);
      expect([run.code, run.err]).toEqual([code, expect.stringMatching(message)]);
    }
    expect(existsSync(s.path("c.svg"))).toBe(false);
  });
});
