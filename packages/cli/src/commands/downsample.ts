// pond downsample: a timeseries at coarser resolutions, summarised or written as Parquet.

import { extname, resolve } from "node:path";
import { PondError } from "@pond/tinyfs";
import type { CommandContext } from "../command.js";
import { type Command, stringOption } from "../command.js";
import { derivedManager, loadDerived } from "../derived.js";
import {
  type DownsampleSummary,
  renderRows,
  renderSummaries,
  summarise,
} from "../downsample-summary.js";
import { UsageError } from "../errors.js";
import { HostTransaction } from "../host/host-transaction.js";
import { write, writeLines } from "../io.js";
import type { PondAt } from "../open-pond.js";
import { parseAt, parseWholeNumber } from "../option-values.js";
import { toJson } from "../output/json.js";
import { startProgress } from "../output/progress.js";
import { readPond } from "../pond-session.js";

export interface DownsampleRequest {
  path: string;
  resolutions: string[];
  at?: PondAt | undefined;
  start?: number | undefined;
  end?: number | undefined;
  columns?: string[] | undefined;
  /** First rows to include per resolution. */
  head: number;
  /** Host file to write the Parquet to (a suffix per resolution when several). */
  output?: string | undefined;
}

export const downsample: Command = {
  name: "downsample",
  summary: "downsample a timeseries to coarser time buckets",
  usage: "pond downsample PATH --resolution R[,R...] [-o HOSTFILE] [--head N]",
  description: [
    "Computes, per UTC epoch-aligned bucket of each resolution, the min, max, mean",
    "and count of every numeric column of PATH: a file:series (all its versions",
    "together) or a Parquet file:table. Prints a summary table per resolution",
    "(buckets, time span, columns); --head adds the first rows. With -o, writes",
    "the result as Parquet to HOSTFILE; with several resolutions, one file each,",
    "named with the resolution before the extension (out.1h.parquet, ...).",
    "Resolutions: a number and a unit, ms s m h d w (e.g. 30s, 1m, 15m, 1h, 1d).",
  ],
  options: {
    resolution: {
      type: "string",
      short: "r",
      value: "R[,R...]",
      description: "bucket widths, comma-separated (required)",
    },
    output: {
      type: "string",
      short: "o",
      value: "HOSTFILE",
      description: "write the result as Parquet to this host file",
    },
    head: {
      type: "string",
      value: "N",
      description: "print the first N buckets of each resolution too",
    },
    start: {
      type: "string",
      value: "TIME",
      description: "only rows at or after TIME (ISO 8601, or epoch ms)",
    },
    end: { type: "string", value: "TIME", description: "only rows before TIME" },
    columns: {
      type: "string",
      value: "A,B",
      description: "only these numeric columns (default: all)",
    },
    at: {
      type: "string",
      value: "V",
      description:
        "use the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
    },
  },
  operands: { min: 1, max: 1 },
  json: true,
  examples: [
    {
      command: "pond downsample /sensors/weather --resolution 1h,1d",
      explanation: "bucket counts and time spans at hourly and daily resolution",
    },
    {
      command: "pond downsample /sensors/weather -r 1h --head 5",
      explanation: "also prints the first five hourly buckets",
    },
    {
      command: "pond downsample /sensors/weather -r 1m,1h -o weather.parquet",
      explanation: "writes weather.1m.parquet and weather.1h.parquet",
    },
  ],
  async run(context, input) {
    const request: DownsampleRequest = {
      path: input.operands[0] as string,
      resolutions: await parseResolutions(stringOption(input, "resolution")),
      at: parseAt(stringOption(input, "at"), "downsample"),
      start: parseTime(stringOption(input, "start"), "--start"),
      end: parseTime(stringOption(input, "end"), "--end"),
      columns: stringOption(input, "columns")
        ?.split(",")
        .map((c) => c.trim())
        .filter(Boolean),
      head: parseWholeNumber(stringOption(input, "head"), "--head", "downsample") ?? 0,
      output: stringOption(input, "output"),
    };
    const summaries = await runDownsample(context, request);
    if (context.json) {
      await write(context.io.stdout, toJson(summaries));
      return;
    }
    await writeLines(context.io.stdout, renderDownsample(request, summaries));
  },
};

/** The summary table, then each resolution's first rows and output file. */
export function renderDownsample(
  request: DownsampleRequest,
  summaries: readonly (DownsampleSummary & { output?: string })[],
): string[] {
  const lines = [...renderSummaries(summaries)];
  for (const summary of summaries) {
    if (summary.rows && summary.rows.length > 0) {
      lines.push("", `${request.path} at ${summary.resolution}, first ${summary.rows.length}:`);
      lines.push(...renderRows(summary));
    }
  }
  const written = summaries.filter((s) => s.output !== undefined);
  if (written.length > 0) {
    lines.push("", `wrote ${written.map((s) => s.output).join(", ")}`);
  }
  return lines;
}

/** Downsamples through @pond/derived and summarises; writes -o files all or nothing. */
export async function runDownsample(
  context: CommandContext,
  request: DownsampleRequest,
): Promise<Array<DownsampleSummary & { output?: string }>> {
  const progress = startProgress(context.io.stderr, { label: "downsampling", unit: "items" });
  try {
    return await readPond(context, request.at, async (fs) => {
      const manager = await derivedManager(fs);
      try {
        const files = await manager.getDownsampledTimeseries(request.path, request.resolutions, {
          ...((request.start !== undefined || request.end !== undefined) && {
            range: { start: request.start, end: request.end },
          }),
          ...(request.columns && { columns: request.columns }),
        });
        const summaries: Array<DownsampleSummary & { output?: string }> = [];
        for (const [i, file] of files.entries()) {
          summaries.push(await summarise(request.resolutions[i] as string, file, request.head));
        }
        if (request.output !== undefined) {
          const host = new HostTransaction();
          try {
            for (const [i, file] of files.entries()) {
              const name = outputName(request.output, request.resolutions, i);
              await host.stageFile(resolve(context.io.cwd, name), name, file.bytes);
              (summaries[i] as DownsampleSummary & { output?: string }).output = name;
            }
            await host.commit();
          } catch (error) {
            await host.rollback();
            throw error;
          }
        }
        return summaries;
      } finally {
        await manager.close();
      }
    });
  } finally {
    progress.done();
  }
}

async function parseResolutions(value: string | undefined): Promise<string[]> {
  if (value === undefined) throw new UsageError("missing --resolution", "downsample");
  const resolutions = value
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (resolutions.length === 0) throw new UsageError("missing --resolution", "downsample");
  const { parseResolution } = await loadDerived();
  for (const resolution of resolutions) {
    try {
      parseResolution(resolution);
    } catch (error) {
      if (PondError.is(error)) throw new UsageError(error.detail, "downsample");
      throw error;
    }
  }
  return resolutions;
}

/** A `--start` or `--end` value: ISO 8601 or epoch ms. */
export function parseTime(
  value: string | undefined,
  option: string,
  command = "downsample",
): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`${option} needs a time (ISO 8601 or epoch ms), not '${value}'`, command);
  }
  return ms;
}

/** The host file for resolution `i`: the name itself, or with the resolution before its extension. */
function outputName(output: string, resolutions: readonly string[], i: number): string {
  if (resolutions.length === 1) return output;
  const ext = extname(output);
  const stem = ext === "" ? output : output.slice(0, -ext.length);
  return `${stem}.${resolutions[i]}${ext}`;
}
