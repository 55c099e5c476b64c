// The benchmark harness: timing, peak memory and the printed comparison table.

import { cpus, totalmem } from "node:os";

export interface Row {
  /** What was measured. */
  name: string;
  /** pond's figure. */
  pond: number;
  /** The baseline's figure from the same run. */
  baseline: number;
  /** The unit of both figures, e.g. "ms" or "MiB". */
  unit: string;
  /** A goal for pond / baseline, when there is one. */
  goal?: number;
  /** A goal for pond's figure itself, in `unit`, when there is one. */
  atMost?: number;
}

export async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The median of several runs of `fn`, each after one warm-up run. */
export async function medianTime(
  runs: number,
  fn: () => Promise<unknown> | unknown,
): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await time(fn));
  return percentile(samples, 0.5);
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function printTable(title: string, baselineName: string, rows: Row[]): void {
  const header = ["measure", "pond", baselineName, "ratio", "goal"];
  const body = rows.map((r) => [
    r.name,
    `${format(r.pond)} ${r.unit}`,
    `${format(r.baseline)} ${r.unit}`,
    `${(r.pond / r.baseline).toFixed(2)}×`,
    goalCell(r),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(`\n${title}\n${machine()}\n`);
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
  );
  for (const row of body) console.log(line(row));
}

function goalCell(row: Row): string {
  const goals: string[] = [];
  if (row.goal !== undefined) {
    goals.push(`≤ ${row.goal}× ${row.pond / row.baseline <= row.goal ? "met" : "missed"}`);
  }
  if (row.atMost !== undefined) {
    goals.push(`≤ ${row.atMost} ${row.unit} ${row.pond <= row.atMost ? "met" : "missed"}`);
  }
  return goals.join(", ");
}

function format(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
