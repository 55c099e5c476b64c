// The chart of downsampled series, drawn with Observable Plot: one panel per column, each a
// min/max band under the mean line, over a shared UTC time axis. Node (with a DOM from
// linkedom) and the site's pages draw with this same code.

import * as Plot from "@observablehq/plot";
import type { ChartPoint } from "./chart-points.js";

/** One column of one series, as one panel. */
export interface ChartPanel {
  /** The y axis label, e.g. "temperature" or "/a/b: temperature". */
  label: string;
  points: ChartPoint[];
}

export interface PanelOptions {
  /** The document the SVG elements are made in. */
  document: Document;
  /** Width in pixels. */
  width: number;
  height: number;
  /** The time range shown, epoch ms. */
  domain: readonly [number, number];
  /** Whether the x axis carries its "time (UTC)" label (the bottom panel's). */
  timeLabel: boolean;
}

/** Space around each panel's plotting area. */
export const MARGIN = { left: 60, right: 16, top: 22, bottom: 34 } as const;

/** What the bottom panel adds below its axis for the "time (UTC)" label. */
export const TIME_LABEL_HEIGHT = 16;

/** Observable's ten-colour palette, one colour per panel. */
const PALETTE = [
  "#4269d0",
  "#ff725c",
  "#3ca951",
  "#efb118",
  "#a463f2",
  "#6cc5b0",
  "#ff8ab7",
  "#9c6b4e",
  "#97bbf5",
  "#9498a0",
];

/** The pixel columns a panel of `width` has for data: what `auto` resolution fits to. */
export function plotAreaWidth(width: number): number {
  return width - MARGIN.left - MARGIN.right;
}

/**
 * One panel as an SVG element. Its `data-x-*` and `data-y-*` attributes give each
 * scale's domain (epoch ms for x) and pixel range, so a reader can map points back.
 */
export function renderPanel(
  panel: ChartPanel,
  index: number,
  options: PanelOptions,
): SVGSVGElement {
  const color = PALETTE[index % PALETTE.length] as string;
  const x = (p: ChartPoint) => new Date(p.t);
  const svg = Plot.plot({
    document: options.document,
    width: options.width,
    height: options.height + (options.timeLabel ? TIME_LABEL_HEIGHT : 0),
    marginLeft: MARGIN.left,
    marginRight: MARGIN.right,
    marginTop: MARGIN.top,
    marginBottom: MARGIN.bottom + (options.timeLabel ? TIME_LABEL_HEIGHT : 0),
    x: {
      type: "utc",
      domain: [new Date(options.domain[0]), new Date(options.domain[1])],
      tickFormat: utcTick,
      label: options.timeLabel ? "time (UTC)" : null,
      labelAnchor: "center",
      labelArrow: "none",
      labelOffset: MARGIN.bottom + TIME_LABEL_HEIGHT - 4,
      grid: true,
    },
    y: {
      label: panel.label,
      grid: true,
      nice: true,
      domain: valueRange(panel.points, options.domain),
    },
    marks: [
      Plot.areaY(panel.points, {
        x,
        y1: "min",
        y2: "max",
        fill: color,
        fillOpacity: 0.22,
        clip: "frame",
      }),
      Plot.lineY(panel.points, { x, y: "avg", stroke: color, strokeWidth: 1.5, clip: "frame" }),
    ],
  }) as unknown as SVGSVGElement & Plot.Plot;
  for (const name of ["x", "y"] as const) {
    const scale = svg.scale(name);
    const domain = Array.from(scale?.domain ?? [], (v) => Number(v));
    svg.setAttribute(`data-${name}-domain`, domain.join(","));
    svg.setAttribute(`data-${name}-range`, Array.from(scale?.range ?? []).join(","));
  }
  svg.setAttribute("data-label", panel.label);
  const title = options.document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.textContent = panel.label;
  svg.prepend(title);
  return svg;
}

/** The lowest min and highest max of the points in view (undefined when none are). */
function valueRange(
  points: readonly ChartPoint[],
  [start, end]: readonly [number, number],
): [number, number] | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.t < start || p.t > end) continue;
    if (p.min < lo) lo = p.min;
    if (p.max > hi) hi = p.max;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A time tick in UTC, 24-hour: the date at midnight (with the year on 1 January), else the time. */
function utcTick(date: Date): string {
  const iso = date.toISOString();
  if (iso.endsWith("T00:00:00.000Z")) {
    const day = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
    return date.getUTCMonth() === 0 && date.getUTCDate() === 1
      ? `${day}\n${date.getUTCFullYear()}`
      : day;
  }
  return date.getUTCSeconds() === 0 ? iso.slice(11, 16) : iso.slice(11, 19);
}
