// pond plot: timeseries drawn as a chart (SVG, HTML or PNG), a min/max band and mean line per column.

import { PondError } from "@pond/tinyfs";
import { type Command, stringOption } from "../command.js";
import { UsageError } from "../errors.js";
import { write, writeLines } from "../io.js";
import { parseAt, parseWholeNumber } from "../option-values.js";
import { toJson } from "../output/json.js";
import { plural } from "../output/units.js";
import { parseTime } from "./downsample.js";

/** The chart width without --width, in pixels. */
export const DEFAULT_WIDTH = 960;
/** The height of each column's panel, in pixels. */
export const PANEL_HEIGHT = 200;

export const plot: Command = {
  name: "plot",
  summary: "draw timeseries as a chart: SVG, HTML or PNG",
  usage: "pond plot PATH... -o FILE.svg|.html|.png [--resolution auto|R] [--columns A,B]",
  description: [
    "Downsamples each PATH (a file:series or a Parquet file:table) and draws one",
    "panel per numeric column: the band from min to max of each bucket and a line",
    "through the means, over a time axis in UTC. Missing buckets show as gaps.",
    "--resolution auto (the default) picks the round bucket width that gives about",
    "one bucket per pixel column of the chart. The file's extension picks the",
    "format: .svg and .html need no browser; .png is drawn by Chromium",
    "(chromium on the PATH, or $POND_CHROMIUM) and fails saying so when there is none.",
  ],
  options: {
    output: {
      type: "string",
      short: "o",
      value: "FILE",
      description: "the chart file to write (required)",
    },
    resolution: {
      type: "string",
      short: "r",
      value: "auto|R",
      description: "bucket width, e.g. 1h, or auto (default)",
    },
    columns: {
      type: "string",
      value: "A,B",
      description: "only these numeric columns (default: all)",
    },
    start: { type: "string", value: "TIME", description: "from TIME (ISO 8601, or epoch ms)" },
    end: { type: "string", value: "TIME", description: "until TIME" },
    width: {
      type: "string",
      value: "PX",
      description: `chart width in pixels (default ${DEFAULT_WIDTH})`,
    },
    at: {
      type: "string",
      value: "V",
      description:
        "use the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
    },
  },
  operands: { min: 1 },
  json: true,
  examples: [
    {
      command: "pond plot /sensors/weather -o week.svg",
      explanation: "every column of the series, at the resolution that fits 960 pixels",
    },
    {
      command: "pond plot /sensors/weather --columns temperature -r 1h -o t.png",
      explanation: "hourly temperature as PNG (needs Chromium)",
    },
  ],
  async run(context, input) {
    const output = stringOption(input, "output");
    if (output === undefined) throw new UsageError("missing -o FILE (.svg, .html or .png)", "plot");
    const [{ chartFormat }, { parseResolution }] = await Promise.all([
      import("../charts/chart-file.js"),
      import("@pond/derived"),
    ]);
    const format = chartFormat(output);
    if (format === undefined) {
      throw new UsageError(
        `-o needs a file ending in .svg, .html or .png, not '${output}'`,
        "plot",
      );
    }
    const resolution = stringOption(input, "resolution") ?? "auto";
    if (resolution !== "auto") {
      try {
        parseResolution(resolution);
      } catch (error) {
        if (PondError.is(error)) throw new UsageError(error.detail, "plot");
        throw error;
      }
    }
    const width =
      parseWholeNumber(stringOption(input, "width"), "--width", "plot", 200) ?? DEFAULT_WIDTH;
    const { plotChart } = await import("../charts/plot-chart.js");
    const result = await plotChart(context, {
      paths: input.operands,
      output,
      format,
      resolution,
      width,
      panelHeight: PANEL_HEIGHT,
      columns: stringOption(input, "columns")
        ?.split(",")
        .map((c) => c.trim())
        .filter(Boolean),
      start: parseTime(stringOption(input, "start"), "--start", "plot"),
      end: parseTime(stringOption(input, "end"), "--end", "plot"),
      at: parseAt(stringOption(input, "at"), "plot"),
    });
    if (context.json) {
      await write(context.io.stdout, toJson(result));
      return;
    }
    const points = result.panels.reduce((n, p) => n + p.buckets, 0);
    await writeLines(context.io.stdout, [
      `wrote ${output}: ${plural(result.panels.length, "panel")}, ${result.resolution} buckets (${points} in all)`,
    ]);
  },
};
