// pond maintain: compaction, history retention and reclaiming space.

import type { MaintainReport, MaintenanceStep } from "@pond/persistence-oplog";
import { type Command, stringOption } from "../command.js";
import { write, writeLines } from "../io.js";
import { maintainPond } from "../open-pond.js";
import { toJson } from "../output/json.js";
import { startProgress } from "../output/progress.js";
import { formatBytes } from "../output/units.js";

const STEPS: Record<MaintenanceStep, string> = {
  retention: "reading the retention setting",
  compact: "compacting small data files",
  vacuum: "deleting data files beyond retention",
  log: "trimming the log beyond retention",
  "large-files": "reclaiming unreferenced large files",
  checkpoint: "writing a checkpoint",
};

export const maintain: Command = {
  name: "maintain",
  summary: "compact the pond and apply its history retention",
  usage: "pond maintain [--retention DURATION|forever]",
  description: [
    "Rewrites each directory's small data files into a few large ones (one commit",
    "that changes no data: every older version still reads the same), then applies",
    "the pond's history retention: versions older than it are forgotten, with the",
    "data files and log entries only they needed. The default keeps all history.",
    "Files that no version refers to (left by failed commits) are deleted once an",
    "hour old. Safe to interrupt at any moment and to run while others commit.",
  ],
  options: {
    retention: {
      type: "string",
      value: "DURATION",
      description: "set how long history is kept first (e.g. 90d, 12h), or forever",
    },
  },
  operands: { min: 0, max: 0 },
  json: true,
  examples: [
    { command: "pond maintain", explanation: "compact, keeping the retention setting" },
    {
      command: "pond maintain --retention 90d",
      explanation: "keep 90 days of history from now on",
    },
  ],
  async run(context, input) {
    const retention = stringOption(input, "retention");
    const progress = startProgress(context.io.stderr, { label: "maintaining", unit: "items" });
    let report: MaintainReport;
    try {
      report = await maintainPond(context.location, {
        ...(retention !== undefined && { retention }),
        onStep: (step) => progress.phase(STEPS[step]),
      });
    } finally {
      progress.done();
    }
    if (context.json) await write(context.io.stdout, toJson(report));
    else await writeLines(context.io.stdout, describe(report));
  },
};

function describe(report: MaintainReport): string[] {
  const { compaction, dataFilesDeleted, log, largeFilesDeleted } = report;
  return [
    compaction.version === undefined
      ? "compaction: nothing to compact"
      : `compaction: version ${compaction.version}, ${compaction.filesRemoved} files (${formatBytes(compaction.bytesRemoved)}) in ${compaction.partitions} directories became ${compaction.filesAdded} (${formatBytes(compaction.bytesAdded)})`,
    `history retention: ${report.retention}; oldest readable version: ${log.oldestVersion}`,
    `deleted: ${dataFilesDeleted.files} data files (${formatBytes(dataFilesDeleted.bytes)}), ${log.entriesDeleted} log entries, ${largeFilesDeleted.files} large files (${formatBytes(largeFilesDeleted.bytes)})`,
  ];
}
