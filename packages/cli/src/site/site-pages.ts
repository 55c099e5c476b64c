// The site's HTML: an index of the series, and one page per series whose chart the page
// script draws from the series' manifest.

import { escapeXml } from "../charts/chart-svg.js";
import { formatTime } from "../output/units.js";

export interface IndexEntry {
  path: string;
  /** The series page, relative to the index. */
  href: string;
  extent: [number, number];
  columns: string[];
  resolutions: string[];
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1000px; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.3rem; margin: 0.2rem 0; }
  table { border-collapse: collapse; }
  td, th { text-align: left; padding: 0.3rem 1rem 0.3rem 0; border-bottom: 1px solid #eee; }
  .hint, .status { color: #666; font-size: 0.9rem; margin: 0.3rem 0; }
  #chart { width: 100%; touch-action: none; cursor: grab; user-select: none; }
  #chart svg { display: block; }`;

function page(title: string, body: string[]): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    // No favicon: without this line browsers ask the server for one.
    '<link rel="icon" href="data:,">',
    `<style>${STYLE}\n</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** index.html: every series with its time span, columns and resolutions. */
export function indexPage(pond: string, entries: readonly IndexEntry[]): string {
  return page(`pond: ${pond}`, [
    `<h1>Series in ${escapeXml(pond)}</h1>`,
    "<table><thead><tr><th>series</th><th>from (UTC)</th><th>to (UTC)</th><th>columns</th><th>resolutions</th></tr></thead><tbody>",
    ...entries.map(
      (e) =>
        `<tr><td><a href="${escapeXml(e.href)}">${escapeXml(e.path)}</a></td><td>${formatTime(e.extent[0])}</td><td>${formatTime(e.extent[1])}</td><td>${escapeXml(e.columns.join(", "))}</td><td>${escapeXml(e.resolutions.join(", "))}</td></tr>`,
    ),
    "</tbody></table>",
  ]);
}

/** A series page: the chart is drawn by assets/page.js from `manifest`. */
export function seriesPage(path: string, manifest: string): string {
  return page(`${path}: pond`, [
    '<p><a href="../index.html">all series</a></p>',
    `<h1>${escapeXml(path)}</h1>`,
    '<p class="hint">Scroll to zoom, drag to pan, double-click to see everything.</p>',
    '<p class="status" id="status">loading…</p>',
    `<div id="chart" data-manifest="${escapeXml(manifest)}"></div>`,
    '<script type="module" src="../assets/page.js"></script>',
  ]);
}
