// A series page's chart: draws the time range in view at the resolution that fits the chart's
// width, loading that resolution's tiles; wheel zooms about the pointer, dragging pans and a
// double click shows everything again.

import { MARGIN, plotAreaWidth, renderPanel } from "../../charts/chart-figure.js";
import { type ColumnBuckets, chartPoints, columnBuckets } from "../../charts/chart-points.js";
import { formatTime } from "../../output/units.js";
import { levelFor, type SeriesManifest, tilesIn } from "../site-manifest.js";
import { loadTile } from "./tiles.js";

const PANEL_HEIGHT = 220;
/** The narrowest view: this many buckets of the finest resolution. */
const MIN_BUCKETS = 16;

export class ChartView {
  private domain: [number, number];
  private drawing = 0;
  private scheduled = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly status: HTMLElement,
    private readonly manifest: SeriesManifest,
    /** The manifest's URL: tiles are relative to it. */
    private readonly base: URL,
  ) {
    this.domain = [...manifest.extent];
    this.listen();
  }

  /** Draws the view as it is now; resolves when drawn (or overtaken by a newer view). */
  async draw(): Promise<void> {
    const token = ++this.drawing;
    const [start, end] = this.domain;
    const width = this.width();
    const level = levelFor(this.manifest.levels, end - start, plotAreaWidth(width));
    const tiles = tilesIn(level, start, end);
    this.root.dataset.state = "loading";
    const tables = await Promise.all(tiles.map((t) => loadTile(new URL(t.file, this.base).href)));
    if (token !== this.drawing) return;
    const columns = this.manifest.columns;
    let points = 0;
    const panels = columns.map((column, i) => {
      const buckets = joinBuckets(tables.map((table) => columnBuckets(table, column)));
      points += buckets.starts.length;
      return renderPanel({ label: column, points: chartPoints(buckets, level.resolutionMs) }, i, {
        document,
        width,
        height: PANEL_HEIGHT,
        domain: [start, end],
        timeLabel: i === columns.length - 1,
      });
    });
    this.root.replaceChildren(...panels);
    Object.assign(this.root.dataset, {
      state: "ready",
      resolution: level.resolution,
      domain: `${start},${end}`,
      points: String(points),
    });
    this.status.textContent = `${level.resolution} buckets, ${formatTime(start)} to ${formatTime(end)} (UTC), ${tiles.length} ${tiles.length === 1 ? "tile" : "tiles"}`;
  }

  private width(): number {
    return Math.max(this.root.clientWidth, 320);
  }

  /** Draws on the next frame, once however many changes came before it. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw().catch(showError(this.status));
    });
  }

  /** Moves the view to `[start, start + span)`, kept inside the data. */
  private show(start: number, span: number): void {
    const [lo, hi] = this.manifest.extent;
    const finest = this.manifest.levels.at(-1)?.resolutionMs ?? 1;
    const width = Math.min(Math.max(span, finest * MIN_BUCKETS), hi - lo);
    const from = Math.min(Math.max(start, lo), hi - width);
    this.domain = [from, from + width];
    this.schedule();
  }

  private listen(): void {
    const root = this.root;
    const fraction = (clientX: number) => {
      const x = clientX - root.getBoundingClientRect().left - MARGIN.left;
      return Math.min(Math.max(x / plotAreaWidth(this.width()), 0), 1);
    };
    root.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const [start, end] = this.domain;
        const at = fraction(event.clientX);
        const span = (end - start) * Math.exp(event.deltaY * 0.0015);
        this.show(start + at * (end - start) - at * span, span);
      },
      { passive: false },
    );
    let drag: { x: number; domain: [number, number] } | undefined;
    root.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, domain: this.domain };
      root.setPointerCapture(event.pointerId);
      root.style.cursor = "grabbing";
    });
    root.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const [start, end] = drag.domain;
      const shift = ((event.clientX - drag.x) / plotAreaWidth(this.width())) * (end - start);
      this.show(start - shift, end - start);
    });
    const stop = () => {
      drag = undefined;
      root.style.cursor = "";
    };
    root.addEventListener("pointerup", stop);
    root.addEventListener("pointercancel", stop);
    root.addEventListener("dblclick", () => {
      const [lo, hi] = this.manifest.extent;
      this.show(lo, hi - lo);
    });
    addEventListener("resize", () => this.schedule());
  }
}

/** One column's buckets from consecutive tiles, in order. */
function joinBuckets(parts: readonly ColumnBuckets[]): ColumnBuckets {
  return {
    starts: parts.flatMap((p) => p.starts),
    min: parts.flatMap((p) => p.min),
    avg: parts.flatMap((p) => p.avg),
    max: parts.flatMap((p) => p.max),
  };
}

/** Shows a failure on the page (and in the console, where a test sees it). */
export function showError(status: HTMLElement): (error: unknown) => void {
  return (error) => {
    status.textContent = `Could not draw the chart: ${error instanceof Error ? error.message : String(error)}`;
    console.error(error);
  };
}
