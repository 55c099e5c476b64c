// A chart written to a host file: SVG, a page holding the SVG, or PNG through Chromium.

import { extname } from "node:path";
import { chartHeight, chartHtml, chartSvg } from "./chart-svg.js";
import { svgToPng } from "./chromium-png.js";
import type { SeriesChart } from "./series-chart.js";

export const CHART_FORMATS = ["svg", "html", "png"] as const;
export type ChartFormat = (typeof CHART_FORMATS)[number];

/** The format a file name asks for, by its extension. */
export function chartFormat(file: string): ChartFormat | undefined {
  const ext = extname(file).slice(1).toLowerCase();
  return (CHART_FORMATS as readonly string[]).includes(ext) ? (ext as ChartFormat) : undefined;
}

export interface ChartFileOptions {
  format: ChartFormat;
  title: string;
  width: number;
  panelHeight: number;
  env: Record<string, string | undefined>;
  /** The output as the user named it, for errors. */
  display: string;
}

/** The bytes of the chart's file. */
export async function chartFile(
  chart: SeriesChart,
  options: ChartFileOptions,
): Promise<Uint8Array> {
  const svg = chartSvg(chart.panels, {
    title: options.title,
    width: options.width,
    panelHeight: options.panelHeight,
    domain: chart.domain,
  });
  if (options.format === "svg") return new TextEncoder().encode(svg);
  if (options.format === "html") return new TextEncoder().encode(chartHtml(svg, options.title));
  const height = chartHeight(chart.panels.length, options.panelHeight);
  return svgToPng(svg, { width: options.width, height }, options.env, options.display);
}
