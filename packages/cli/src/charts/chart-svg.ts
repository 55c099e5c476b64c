// A chart as one standalone SVG document: a title line over the stacked panels.

import { parseHTML } from "linkedom";
import { type ChartPanel, renderPanel, TIME_LABEL_HEIGHT } from "./chart-figure.js";

export interface ChartSvgOptions {
  title: string;
  width: number;
  panelHeight: number;
  domain: readonly [number, number];
}

const TITLE_HEIGHT = 28;

/** The height of a chart of `panels` panels. */
export function chartHeight(panels: number, panelHeight: number): number {
  return TITLE_HEIGHT + panels * panelHeight + TIME_LABEL_HEIGHT;
}

/** The SVG text of the chart, drawn without a browser (linkedom stands in for the DOM). */
export function chartSvg(panels: readonly ChartPanel[], options: ChartSvgOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const height = chartHeight(panels.length, options.panelHeight);
  const parts = panels.map((panel, i) => {
    const svg = renderPanel(panel, i, {
      document: document as unknown as Document,
      width: options.width,
      height: options.panelHeight,
      domain: options.domain,
      timeLabel: i === panels.length - 1,
    });
    svg.setAttribute("x", "0");
    svg.setAttribute("y", String(TITLE_HEIGHT + i * options.panelHeight));
    return svg.outerHTML;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${options.width}" height="${height}" viewBox="0 0 ${options.width} ${height}" font-family="system-ui, sans-serif">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${options.width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(options.title)}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

/** The chart as a page of its own: the SVG inline, no script. */
export function chartHtml(svg: string, title: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeXml(title)}</title></head>`,
    '<body style="margin: 1rem; background: white">',
    svg.trimEnd(),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
