// The table's `_delta_log` as hand edits see it: entries named by version, one JSON action a line.

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const LOG_DIR = "_delta_log";

/** The file name of the log entry of `version`. */
export function logEntryName(version: number): string {
  return `${String(version).padStart(20, "0")}.json`;
}

/** The newest version with a log entry. */
export async function newestLogVersion(pondDir: string): Promise<number> {
  const names = await readdir(join(pondDir, LOG_DIR));
  const versions = names.filter((n) => /^\d{20}\.json$/.test(n)).map((n) => Number.parseInt(n, 10));
  return Math.max(...versions);
}

/** The actions of one log entry. */
export async function readLogEntry(
  pondDir: string,
  version: number,
): Promise<Array<Record<string, Record<string, unknown>>>> {
  const text = await readFile(join(pondDir, LOG_DIR, logEntryName(version)), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/** Writes a log entry of `actions` at `version`. */
export async function writeLogEntry(
  pondDir: string,
  version: number,
  actions: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  const lines = actions.map((action) => `${JSON.stringify(action)}\n`).join("");
  await writeFile(join(pondDir, LOG_DIR, logEntryName(version)), lines, { flag: "wx" });
}
