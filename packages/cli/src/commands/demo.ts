// pond demo: build a small pond of sensor data and files, then tour it with the other commands.

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { PondError, type WD } from "@pond/tinyfs";
import type { Command, CommandContext } from "../command.js";
import { formatCommandLine } from "../command-line.js";
import { calibrationBytes, README_V1, README_V2, STATIONS_CSV } from "../demo/demo-files.js";
import { DEMO_CHART, DEMO_META_KEY, DEMO_META_VALUE, isDemoPond } from "../demo/demo-marker.js";
import { invocationHint } from "../demo/invocation-hint.js";
import { loadDerived } from "../derived.js";
import { withDynamicReads } from "../dynamic-reads.js";
import { renderListing } from "../entry-listing.js";
import { writeLines } from "../io.js";
import { isVacant, withNewPond } from "../open-pond.js";
import { startProgress } from "../output/progress.js";
import { formatDuration, formatTime, plural } from "../output/units.js";
import { type PondLocation, pondLocation } from "../pond-location.js";
import { commitMeta, readPond } from "../pond-session.js";
import { renderDownsample, runDownsample } from "./downsample.js";
import { renderLog } from "./log.js";
import { detailed, list } from "./ls.js";
import { DEFAULT_WIDTH, PANEL_HEIGHT } from "./plot.js";

export const DEFAULT_DEMO_DIR = "pond-demo";
const FIRST_DAY = new Date("2024-06-01T00:00:00Z");
const DAYS = 7;
const INTERVAL_SECONDS = 10;
const DAY_MS = 86_400_000;
const SERIES = "/sensors/station-1/weather";
const README = "/docs/README.md";
const ROLLUP = "/views/weather";
/** The demo's temporal-reduce node: every station's series rolled up hourly and daily. */
const ROLLUP_CONFIG = {
  in_pattern: "/sensors/*/weather",
  out_pattern: "$0",
  resolutions: ["1h", "1d"],
  aggregations: [{ columns: "*", ops: ["avg", "min", "max"] }],
};

export const demo: Command = {
  name: "demo",
  summary: "build a demo pond of sensor data and tour it",
  usage: "pond demo [DIR]",
  description: [
    `Creates a pond in DIR (default ./${DEFAULT_DEMO_DIR}) in ${DAYS + 2} transactions: a few`,
    `files (a README, a CSV, a binary file), then ${DAYS} days of simulated weather-station`,
    `readings (every ${INTERVAL_SECONDS} s: temperature, humidity, pressure) appended to the`,
    "file:series /sensors/station-1/weather one day per version, then an edit of",
    "the README, a symlink and /views/weather, a temporal-reduce dynamic node",
    "that rolls every station's series up to 1h and 1d on read. It then shows the",
    "log, the tree, the README as of an older version, the series downsampled to",
    "1h and 1d and the rollups /views/weather computes, draws the week as",
    `${DEMO_CHART} in DIR, and leaves the pond for you to explore. DIR must be`,
    "missing, empty, or a pond made by an earlier demo",
    "(which is replaced); anything else fails with EEXIST.",
  ],
  options: {},
  operands: { min: 0, max: 1 },
  json: false,
  examples: [
    { command: "pond demo", explanation: `builds the demo pond in ./${DEFAULT_DEMO_DIR}` },
    { command: "pond demo /tmp/weather", explanation: "builds it in /tmp/weather" },
  ],
  async run(context, input) {
    const started = Date.now();
    const fromOption = context.location.source === "option" ? context.location.display : undefined;
    const dir = input.operands[0] ?? fromOption ?? DEFAULT_DEMO_DIR;
    const location = pondLocation(dir, context.io);
    await prepare(location);
    const tour: CommandContext = { ...context, location };
    const out = (lines: string[]) => writeLines(context.io.stdout, lines);
    await out([`pond demo: building a pond in ${location.display} (${location.path})`]);
    const built = await build(tour);
    // The commands a user would type to see the same, shown before each part of the tour.
    const command = (...args: string[]) => formatCommandLine(["--pond", dir, ...args]);

    const history = await readPond(tour, undefined, (fs) => fs.history());
    await out(["", `$ ${command("log")}`, ...renderLog(history)]);

    const tree = await readPond(tour, undefined, (fs) => list(fs.root(), "**", detailed));
    await out(["", `$ ${command("ls", "-l", "**")}`, ...renderListing(tree)]);

    const old = await readPond(tour, { version: 1 }, (fs) => fs.root().readFile(README));
    const note = `# as of version 1; version ${built.lastVersion} edited it`;
    await out([
      "",
      `$ ${command("cat", "--at", "1", README)}    ${note}`,
      new TextDecoder().decode(old).trimEnd(),
    ]);

    const request = { path: SERIES, resolutions: ["1h", "1d"], head: 5 };
    const summaries = await runDownsample(tour, request);
    await out([
      "",
      `$ ${command("downsample", SERIES, "--resolution", "1h,1d", "--head", "5")}`,
      ...renderDownsample(request, summaries),
    ]);

    const rollups = `${ROLLUP}/station-1`;
    const computed = await readPond(tour, undefined, (fs) =>
      withDynamicReads(fs, (dynamic) => list(fs.root(), rollups, detailed, undefined, dynamic)),
    );
    await out([
      "",
      `$ ${command("ls", "-l", rollups)}    # computed on read by the temporal-reduce node ${ROLLUP}`,
      ...renderListing(computed),
    ]);

    const chart = join(dir, DEMO_CHART);
    const { plotChart } = await import("../charts/plot-chart.js");
    const plotted = await plotChart(tour, {
      paths: [SERIES],
      output: chart,
      format: "svg",
      resolution: "auto",
      width: DEFAULT_WIDTH,
      panelHeight: PANEL_HEIGHT,
    });
    await out([
      "",
      `$ ${command("plot", SERIES, "-o", chart)}`,
      `wrote ${chart}: ${plural(plotted.panels.length, "panel")}, ${plotted.resolution} buckets`,
    ]);

    const hint = await invocationHint(context.io.env);
    const last = FIRST_DAY.getTime() + DAYS * DAY_MS - INTERVAL_SECONDS * 1000;
    await out([
      "",
      `Done in ${formatDuration(Date.now() - started)}. The pond is in ${location.path}:`,
      `  ${built.lastVersion + 1} versions (0 to ${built.lastVersion}); ${SERIES} holds ${built.rows}`,
      `  readings in ${DAYS} versions, ${formatTime(FIRST_DAY)} to ${formatTime(last)}.`,
      `A chart of the week: ${join(location.path, DEMO_CHART)}`,
      "",
      "Try:",
      ...(hint ? [`  (${hint})`] : []),
      ...[
        command("ls", "-l", "**"),
        command("show", String(built.lastVersion)),
        command("stat", SERIES),
        command("cat", "--version", "1", README),
        command("downsample", "/sensors/latest", "--resolution", "15m", "--head", "4"),
        command("stat", `${rollups}/res=1d.series`),
        command("export", "-r", "/data", "demo-export"),
        command("site", `${dir}-site`, "--serve"),
      ].map((line) => `  ${line}`),
    ]);
  },
};

/** Clears the way: DIR must be missing, empty, or an earlier demo's pond (removed here). */
async function prepare(location: PondLocation): Promise<void> {
  if (await isVacant(location)) return;
  if (!(await isDemoPond(location))) {
    throw new PondError("EEXIST", "exists and is not empty (and is not a pond made by pond demo)", {
      path: location.display,
    });
  }
  await rm(location.path, { recursive: true, force: true });
}

interface Built {
  lastVersion: number;
  rows: number;
}

/** The demo's transactions, each one pond version recorded as made by the demo. */
async function build(context: CommandContext): Promise<Built> {
  const steps = DAYS + 2;
  const progress = startProgress(context.io.stderr, {
    label: "building",
    total: steps,
    unit: "items",
  });
  try {
    return await withNewPond(context.location, async (fs) => {
      const meta = { ...commitMeta(context), [DEMO_META_KEY]: DEMO_META_VALUE };
      const step = async (what: string, fn: (root: WD) => Promise<void>) => {
        await fs.transaction(fn, { message: `pond demo: ${what}`, meta });
        progress.advance(1, what);
      };
      await step("add the README, stations.csv and calibration.bin", async (root) => {
        await root.createDirPath("/docs");
        await root.createDirPath("/data");
        await root.createDirPath("/sensors/station-1", { recursive: true });
        await root.writeFile(README, README_V1);
        await root.writeFile("/data/stations.csv", STATIONS_CSV);
        await root.writeFile("/data/calibration.bin", calibrationBytes());
      });
      const [{ appendSeriesChunk }, { sensorDay }] = await Promise.all([
        loadDerived(),
        import("../demo/sensor-series.js"),
      ]);
      let rows = 0;
      for (let day = 0; day < DAYS; day++) {
        const chunk = await sensorDay(FIRST_DAY, day, INTERVAL_SECONDS);
        rows += chunk.rows;
        const date = chunk.start.toISOString().slice(0, 10);
        await step(`import station-1 readings of ${date}`, async (root) => {
          await appendSeriesChunk(root, SERIES, chunk.parquet);
        });
      }
      const { temporalReduceKind, writeDynamicNode } = await loadDerived();
      await step(`edit the README, link /sensors/latest, make ${ROLLUP}`, async (root) => {
        await root.writeFile(README, README_V2);
        await root.createSymlinkPath("/sensors/latest", "station-1/weather");
        await root.createDirPath("/views");
        await writeDynamicNode(root, temporalReduceKind, ROLLUP, ROLLUP_CONFIG);
      });
      return { lastVersion: await fs.version(), rows };
    });
  } finally {
    progress.done();
  }
}
