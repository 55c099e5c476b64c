// pond site: a static site charting the pond's timeseries, zoomable, read from Parquet in the page.

import { type Command, flagOption, stringOption } from "../command.js";
import { UsageError } from "../errors.js";
import { writeLines } from "../io.js";
import { parseAt, parseWholeNumber } from "../option-values.js";
import { escapeControls, quoteName } from "../output/quote.js";

export const site: Command = {
  name: "site",
  summary: "write a static site that charts the timeseries",
  usage: "pond site OUTDIR [PATTERN...] [--serve [--port N]]",
  description: [
    "Writes to OUTDIR an index of the file:series and Parquet file:table files that",
    "the patterns match (default: all, **), and a page per series with a chart",
    "(min/max band and mean line per column, time in UTC). Each series is",
    "downsampled to a ladder of resolutions, from one that fits the whole span in",
    "the chart down to its sampling interval, written as Parquet tiles beside the",
    "pages; zooming and panning load the resolution that fits, read in the",
    "browser with parquet-wasm and apache-arrow. The site is plain files: any",
    "static file server serves it. OUTDIR must be missing, empty or a site made",
    "before (which is replaced). --serve then serves it on 127.0.0.1 until",
    "interrupted.",
  ],
  options: {
    serve: { type: "boolean", description: "serve the site on 127.0.0.1 afterwards" },
    port: {
      type: "string",
      value: "N",
      description: "the port to serve on (default 8080; 0: any free)",
    },
    at: {
      type: "string",
      value: "V",
      description:
        "use the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
    },
  },
  operands: { min: 1 },
  json: false,
  examples: [
    { command: "pond site site/", explanation: "charts every series into ./site" },
    {
      command: "pond site site/ '/sensors/**' --serve",
      explanation: "the series under /sensors, then serves them at http://127.0.0.1:8080/",
    },
  ],
  async run(context, input) {
    const [outDir, ...patterns] = input.operands as [string, ...string[]];
    const port = parseWholeNumber(stringOption(input, "port"), "--port", "site") ?? 8080;
    if (port > 65_535) throw new UsageError(`--port must be at most 65535, not ${port}`, "site");
    const at = parseAt(stringOption(input, "at"), "site");
    const { writeSite } = await import("../site/write-site.js");
    const summary = await writeSite(context, {
      outDir,
      patterns: patterns.length > 0 ? patterns : ["**"],
      at,
    });
    await writeLines(context.io.stdout, [
      ...summary.series.map(
        (s) => `${quoteName(s.path)}: ${s.page} (${s.resolutions.join(", ")}; ${s.tiles} tiles)`,
      ),
      ...summary.skipped.map((s) => `skipped ${quoteName(s.path)}: ${escapeControls(s.reason)}`),
      `wrote ${outDir}: ${summary.series.length} series`,
    ]);
    if (!flagOption(input, "serve")) return;
    const { serveSite } = await import("../site/serve-site.js");
    const { server, url } = await serveSite(summary.dir, port);
    await writeLines(context.io.stdout, [`serving ${outDir} at ${url} (interrupt to stop)`]);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};
