// pond init: create an empty pond.

import { stat } from "node:fs/promises";
import { PondError } from "@pond/tinyfs";
import type { Command } from "../command.js";
import { write, writeLines } from "../io.js";
import { isPond, isVacant, withNewPond } from "../open-pond.js";
import { toJson } from "../output/json.js";

export const init: Command = {
  name: "init",
  summary: "create an empty pond",
  usage: "pond init [--pond DIR]",
  description: [
    "Creates an empty pond in DIR (by default $POND, else ./.pond), making the",
    "directory if needed. The new pond is version 0. Fails with EEXIST when DIR",
    "already holds a pond, or holds other files.",
  ],
  options: {},
  operands: { min: 0, max: 0 },
  json: true,
  examples: [
    { command: "pond init", explanation: "creates ./.pond" },
    { command: "pond --pond /data/lake init", explanation: "creates a pond in /data/lake" },
  ],
  async run(context) {
    const { location } = context;
    if (await isPond(location)) {
      throw new PondError("EEXIST", "a pond already exists here", { path: location.display });
    }
    if (!(await isVacant(location))) {
      const isDir = (await stat(location.path)).isDirectory();
      throw new PondError(
        isDir ? "EEXIST" : "ENOTDIR",
        isDir ? "directory is not empty and holds no pond" : "not a directory",
        { path: location.display },
      );
    }
    const version = await withNewPond(location, (fs) => fs.version());
    if (context.json) {
      await write(context.io.stdout, toJson({ pond: location.path, version }));
    } else {
      await writeLines(context.io.stdout, [`created an empty pond in ${location.display}`]);
    }
  },
};
