// pond log: every version of the pond.

import type { CommitInfo } from "@pond/tinyfs";
import { type Command, stringOption } from "../command.js";
import { write, writeLines } from "../io.js";
import { parseWholeNumber } from "../option-values.js";
import { toJson } from "../output/json.js";
import { escapeControls } from "../output/quote.js";
import { renderTable } from "../output/table.js";
import { formatTime } from "../output/units.js";
import { readPond } from "../pond-session.js";

export const log: Command = {
  name: "log",
  summary: "list every version of the pond",
  usage: "pond log [-n N]",
  description: [
    "Lists the pond's versions, oldest first: number, commit time (UTC), the node",
    "versions (rows) and directories (partitions) it wrote, and its message, which",
    "for changes made with this command is the command line. Version 0 is the",
    "pond's creation. Use pond show V for what a version changed.",
  ],
  options: {
    "max-count": {
      type: "string",
      short: "n",
      value: "N",
      description: "only the newest N versions",
    },
  },
  operands: { min: 0, max: 0 },
  json: true,
  examples: [
    { command: "pond log", explanation: "every version" },
    { command: "pond log -n 5", explanation: "the five newest versions" },
    { command: "pond log --json", explanation: "for scripts, with each commit's metadata" },
  ],
  async run(context, input) {
    const limit = parseWholeNumber(stringOption(input, "max-count"), "--max-count", "log", 1);
    const history = await readPond(context, undefined, (fs) => fs.history());
    const shown = limit === undefined ? history : history.slice(-limit);
    if (context.json) await write(context.io.stdout, toJson(shown.map(commitJson)));
    else await writeLines(context.io.stdout, renderLog(shown));
  },
};

/** The log as an aligned table. */
export function renderLog(history: readonly CommitInfo[]): Iterable<string> {
  return renderTable(
    [
      { header: "VERSION", align: "right" },
      { header: "TIME (UTC)" },
      { header: "ROWS", align: "right" },
      { header: "PARTS", align: "right" },
      { header: "MESSAGE" },
    ],
    history.map((c) => [
      String(c.version),
      formatTime(c.timestamp),
      c.rows === undefined ? "-" : String(c.rows),
      c.partitions === undefined ? "-" : String(c.partitions),
      describeCommit(c),
    ]),
  );
}

/** A commit's message, or what it was when there is none, for a terminal. */
export function describeCommit(commit: CommitInfo): string {
  if (commit.message) return escapeControls(commit.message);
  if (commit.version === 0) return "(pond created)";
  const argv = commit.meta?.argv;
  return argv ? `(${escapeControls(argv)})` : "(no message)";
}

export function commitJson(commit: CommitInfo): Record<string, unknown> {
  return {
    version: commit.version,
    timestamp: commit.timestamp,
    message: commit.message ?? null,
    rows: commit.rows ?? null,
    partitions: commit.partitions ?? null,
    meta: commit.meta ?? {},
  };
}
