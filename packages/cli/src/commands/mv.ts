// pond mv: move or rename.

import { PondError } from "@pond/tinyfs";
import type { Command } from "../command.js";
import { copyTargets } from "../copy-destination.js";
import { printChange } from "../output/change-summary.js";
import { absolute, destinationKind, pondBasename, pondJoin } from "../pond-paths.js";
import { changePond } from "../pond-session.js";

export const mv: Command = {
  name: "mv",
  summary: "move or rename files, symlinks and directories",
  usage: "pond mv FROM... TO",
  description: [
    "Moves FROM to TO in one transaction, keeping its node id and history. If TO",
    "is an existing directory, FROM moves inside it; otherwise FROM is renamed to",
    "TO, replacing a file there (or an empty directory, when moving a directory).",
    "Several sources need a directory.",
  ],
  options: {},
  operands: { min: 2 },
  json: true,
  examples: [
    { command: "pond mv /raw/data.csv /raw/2025.csv", explanation: "renames a file" },
    {
      command: "pond mv /raw/a.csv /raw/b.csv /archive",
      explanation: "moves two files into /archive",
    },
  ],
  async run(context, input) {
    const operands = [...input.operands];
    const destination = operands.pop() as string;
    const change = await changePond(context, async (root) => {
      const sources = [];
      for (const path of operands) {
        const meta = await root.lstat(path);
        sources.push({ name: pondBasename(path), isDirectory: meta.entryType === "directory" });
      }
      const kind = await destinationKind(root, destination);
      const targets = copyTargets(sources, destination, kind, pondJoin, (code, detail) => {
        return new PondError(code, detail, { path: destination });
      });
      for (const [i, from] of operands.entries()) await root.rename(from, targets[i] as string);
      return targets.map(absolute);
    });
    const moved = operands.map((from, i) => `${absolute(from)} -> ${change.result[i]}`);
    await printChange(context, change, `moved ${moved.join(", ")}`, {
      moves: operands.map((from, i) => ({ from: absolute(from), to: change.result[i] })),
    });
  },
};
