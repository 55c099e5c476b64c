// A progress bar on stderr for long work, drawn only when stderr is a terminal.

import type { OutputStream } from "../io.js";
import { quoteName } from "./quote.js";
import { formatBytes, formatDuration } from "./units.js";

export interface Progress {
  /** Records `amount` more units done; `current` names what is being worked on. */
  advance(amount: number, current?: string): void;
  /** Renames the phase, e.g. from "copying" to "committing". */
  phase(label: string): void;
  /** Erases the bar. */
  done(): void;
}

export interface ProgressOptions {
  label: string;
  /** Units of work in all; undefined draws a spinner instead of a bar. */
  total?: number;
  unit: "bytes" | "items";
}

const NOTHING: Progress = { advance() {}, phase() {}, done() {} };
// Quick work finishes before the first frame, so it never flickers a bar.
const FIRST_FRAME_MS = 250;
const FRAME_MS = 100;
const SPINNER = ["|", "/", "-", "\\"];

/** A progress display on `stream`: a bar on a terminal, nothing at all otherwise. */
export function startProgress(stream: OutputStream, options: ProgressOptions): Progress {
  if (!stream.isTTY) return NOTHING;
  const started = Date.now();
  let label = options.label;
  let done = 0;
  let current = "";
  let frame = 0;
  let drawn = false;

  const amount = (n: number) => (options.unit === "bytes" ? formatBytes(n) : String(n));
  const draw = () => {
    const columns = stream.columns ?? 80;
    let line: string;
    if (options.total === undefined || options.total <= 0) {
      const spin = SPINNER[frame++ % SPINNER.length];
      line = `${spin} ${label}  ${formatDuration(Date.now() - started)}  ${current}`;
    } else {
      const ratio = Math.min(1, done / options.total);
      const barWidth = Math.max(10, Math.min(30, columns - 50));
      const filled = Math.round(ratio * barWidth);
      const bar = `${"#".repeat(filled)}${"-".repeat(barWidth - filled)}`;
      const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
      line = `${label} [${bar}] ${percent}  ${amount(done)}/${amount(options.total)}  ${current}`;
    }
    stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    drawn = true;
  };

  let timer: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, FRAME_MS);
    timer.unref();
  }, FIRST_FRAME_MS);
  delay.unref();

  return {
    advance(n, what) {
      done += n;
      if (what !== undefined) current = quoteName(what);
    },
    phase(name) {
      label = name;
      current = "";
    },
    done() {
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}

/**
 * For loops of synchronous host I/O: resolves at once, except every `FRAME_MS` or so, when it
 * lets the event loop run first so that the progress bar keeps drawing.
 */
export function breather(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < FRAME_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
