// pond plot's work: downsample the paths, draw the chart and write it to the host, all or nothing.

import { resolve } from "node:path";
import type { CommandContext } from "../command.js";
import { derivedManager } from "../derived.js";
import { HostTransaction } from "../host/host-transaction.js";
import type { PondAt } from "../open-pond.js";
import { formatTime } from "../output/units.js";
import { readPond } from "../pond-session.js";
import { type ChartFormat, chartFile } from "./chart-file.js";
import { type SeriesChartRequest, seriesChart } from "./series-chart.js";

export interface PlotRequest extends SeriesChartRequest {
  output: string;
  format: ChartFormat;
  panelHeight: number;
  at?: PondAt | undefined;
}

/** What was drawn, per panel: the path, the column and how many buckets. */
export interface PlotResult {
  output: string;
  format: ChartFormat;
  resolution: string;
  resolutionMs: number;
  start: number;
  end: number;
  panels: Array<{ path: string; column: string; buckets: number }>;
}

export async function plotChart(
  context: CommandContext,
  request: PlotRequest,
): Promise<PlotResult> {
  return readPond(context, request.at, async (fs) => {
    const manager = await derivedManager(fs);
    try {
      const chart = await seriesChart(fs.root(), manager, request);
      const [start, end] = chart.domain;
      const title = `${request.paths.join(", ")}: ${chart.resolution} buckets, ${formatTime(start)} to ${formatTime(end)}`;
      const bytes = await chartFile(chart, {
        format: request.format,
        title,
        width: request.width,
        panelHeight: request.panelHeight,
        env: context.io.env,
        display: request.output,
      });
      const host = new HostTransaction();
      try {
        await host.stageFile(resolve(context.io.cwd, request.output), request.output, bytes);
        await host.commit();
      } catch (error) {
        await host.rollback();
        throw error;
      }
      return {
        output: request.output,
        format: request.format,
        resolution: chart.resolution,
        resolutionMs: chart.resolutionMs,
        start,
        end,
        panels: chart.panels.map(({ path, column, buckets }) => ({ path, column, buckets })),
      };
    } finally {
      await manager.close();
    }
  });
}
