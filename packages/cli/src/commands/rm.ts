// pond rm: remove files, symlinks and directories.

import { type Command, flagOption } from "../command.js";
import { printChange } from "../output/change-summary.js";
import { plural } from "../output/units.js";
import { changePond } from "../pond-session.js";

export const rm: Command = {
  name: "rm",
  summary: "remove files, symlinks and directories",
  usage: "pond rm [-r] PATH...",
  description: [
    "Removes each PATH from the pond, all in one transaction. A symlink is removed",
    "itself, not its target. A directory needs -r unless it is empty. Removed",
    "files stay readable in earlier versions (pond cat --at V, pond ls --at V).",
  ],
  options: {
    recursive: {
      type: "boolean",
      short: "r",
      description: "remove directories and everything in them",
    },
  },
  operands: { min: 1 },
  json: true,
  examples: [
    { command: "pond rm /raw/old.csv", explanation: "removes one file" },
    { command: "pond rm -r /scratch", explanation: "removes a directory and its contents" },
  ],
  async run(context, input) {
    const recursive = flagOption(input, "recursive");
    const change = await changePond(context, async (root) => {
      for (const path of input.operands) await root.remove(path, { recursive });
    });
    await printChange(context, change, `removed ${plural(input.operands.length, "path")}`, {
      paths: input.operands,
    });
  },
};
