// pond mkdir: create directories.

import { type Command, flagOption } from "../command.js";
import { printChange } from "../output/change-summary.js";
import { plural } from "../output/units.js";
import { changePond } from "../pond-session.js";

export const mkdir: Command = {
  name: "mkdir",
  summary: "create directories",
  usage: "pond mkdir [-p] PATH...",
  description: [
    "Creates each PATH as a directory, all in one transaction. Without -p the",
    "parent must exist and PATH must not (ENOENT, EEXIST); with -p missing parents",
    "are made too and an existing directory is not an error.",
  ],
  options: {
    parents: {
      type: "boolean",
      short: "p",
      description: "make missing parents; an existing directory is fine",
    },
  },
  operands: { min: 1 },
  json: true,
  examples: [
    { command: "pond mkdir /raw", explanation: "creates the directory /raw" },
    {
      command: "pond mkdir -p /sensors/2025/01",
      explanation: "creates /sensors, /sensors/2025 and /sensors/2025/01 as needed",
    },
  ],
  async run(context, input) {
    const recursive = flagOption(input, "parents");
    const change = await changePond(context, async (root) => {
      for (const path of input.operands) await root.createDirPath(path, { recursive });
    });
    const summary =
      change.version === undefined
        ? "the directories exist"
        : `created ${plural(input.operands.length, "directory", "directories")}`;
    await printChange(context, change, summary, { paths: input.operands });
  },
};
