// pond ln -s: create a symlink.

import { type Command, flagOption } from "../command.js";
import { UsageError } from "../errors.js";
import { printChange } from "../output/change-summary.js";
import { absolute, destinationKind, pondJoin } from "../pond-paths.js";
import { changePond } from "../pond-session.js";

export const ln: Command = {
  name: "ln",
  summary: "create a symbolic link",
  usage: "pond ln -s TARGET PATH",
  description: [
    "Creates a symlink at PATH pointing at TARGET, stored as given: a relative",
    "TARGET is resolved from the link's directory when the link is followed, and",
    "it need not exist yet. If PATH is an existing directory, the link is made",
    "inside it, named after TARGET. pond has symbolic links only, so -s is required.",
  ],
  options: {
    symbolic: { type: "boolean", short: "s", description: "make a symbolic link (required)" },
  },
  operands: { min: 2, max: 2 },
  json: true,
  examples: [
    {
      command: "pond ln -s /sensors/station-1/weather /latest",
      explanation: "makes /latest point at the series",
    },
    { command: "pond ln -s ../docs/README.md /data/README", explanation: "a relative link" },
  ],
  async run(context, input) {
    if (!flagOption(input, "symbolic")) {
      throw new UsageError("pond has symbolic links only: use ln -s", "ln");
    }
    const [target, path] = input.operands as [string, string];
    const change = await changePond(context, async (root) => {
      const inside = (await destinationKind(root, path)) === "directory";
      const link = inside ? pondJoin(path, target.split("/").filter(Boolean).pop() ?? "") : path;
      await root.createSymlinkPath(link, target);
      return absolute(link);
    });
    await printChange(context, change, `linked ${change.result} -> ${target}`, {
      path: change.result,
      target,
    });
  },
};
