// pond fsck: check every version of the pond and every stored byte.

import { PondError } from "@pond/tinyfs";
import type { Command } from "../command.js";
import { write, writeLines } from "../io.js";
import { fsckPond } from "../open-pond.js";
import { toJson } from "../output/json.js";
import { startProgress } from "../output/progress.js";
import { escapeControls, quoteName } from "../output/quote.js";
import { renderTable } from "../output/table.js";

export const fsck: Command = {
  name: "fsck",
  summary: "check the pond's integrity",
  usage: "pond fsck",
  description: [
    "Replays every version of the pond's tree and checks that every entry names a",
    "node that exists by then, that every stored file version (inline or large)",
    "matches its size and sha256, that every data file a version needs is there,",
    "and that no file on disk is left that nothing refers to. Prints each problem",
    "with its kind, pond path, version and file; exit status 1 when there is any.",
  ],
  options: {},
  operands: { min: 0, max: 0 },
  json: true,
  examples: [
    { command: "pond fsck", explanation: "check the pond" },
    { command: "pond fsck --json", explanation: "the problems as JSON, for scripts" },
  ],
  async run(context) {
    const progress = startProgress(context.io.stderr, {
      label: "checking versions",
      unit: "items",
    });
    const report = await fsckPond(context.location, {}).finally(() => progress.done());
    if (context.json) {
      await write(context.io.stdout, toJson(report));
    } else if (report.problems.length === 0) {
      await writeLines(context.io.stdout, [
        `ok: ${report.versions} versions, ${report.nodes} nodes, ${report.rows} node versions, ${report.largeFiles} large file versions checked`,
      ]);
    } else {
      await writeLines(
        context.io.stdout,
        renderTable(
          [
            { header: "PROBLEM" },
            { header: "VERSION", align: "right" },
            { header: "PATH" },
            { header: "FILE" },
            { header: "DETAIL" },
          ],
          report.problems.map((p) => [
            p.kind,
            p.version === undefined ? "-" : String(p.version),
            p.path === undefined ? "-" : quoteName(p.path),
            p.file === undefined ? "-" : quoteName(p.file),
            escapeControls(p.detail),
          ]),
        ),
      );
    }
    if (report.problems.length > 0) {
      const count = report.problems.length;
      throw new PondError("CORRUPT", `${count} problem${count === 1 ? "" : "s"} found`, {
        path: context.location.display,
      });
    }
  },
};
