// pond show: what one version of the pond changed, path by path.

import { type CommitInfo, PondError } from "@pond/tinyfs";
import type { Command } from "../command.js";
import { write, writeLines } from "../io.js";
import { parseWholeNumber } from "../option-values.js";
import { toJson } from "../output/json.js";
import { quoteName } from "../output/quote.js";
import { renderTable } from "../output/table.js";
import { formatTime } from "../output/units.js";
import { readPond } from "../pond-session.js";
import { diffTrees, snapshotTree, type TreeChange } from "../tree-diff.js";
import { commitJson, describeCommit } from "./log.js";

export const show: Command = {
  name: "show",
  summary: "show what one version changed",
  usage: "pond show [V]",
  description: [
    "Lists what pond version V (default: the newest) changed, path by path: added,",
    "removed, modified (a new version of a file or symlink) and renamed (moved,",
    "same node), found by comparing the whole trees of versions V-1 and V.",
    "Everything below an added or removed directory is listed too. Version 0 is",
    "the pond's creation. An entry pond cannot read (a damaged pond's) is reported",
    "on its own line and left out of the comparison; the exit status is then 1.",
  ],
  options: {},
  operands: { min: 0, max: 1 },
  json: true,
  examples: [
    { command: "pond show", explanation: "what the newest version changed" },
    { command: "pond show 3", explanation: "what version 3 changed" },
    { command: "pond show --json 3", explanation: "the same, for scripts" },
  ],
  async run(context, input) {
    const wanted = parseWholeNumber(input.operands[0], "the version", "show");
    const { commit, changes } = await readPond(context, undefined, async (fs) => {
      const history = await fs.history();
      const version = wanted ?? (await fs.version());
      const commit = history.find((c) => c.version === version);
      if (!commit) {
        const newest = history[history.length - 1]?.version ?? 0;
        throw new PondError("EINVAL", `no version ${version} (the newest is ${newest})`);
      }
      // Both trees may hold the same damaged entry: it is reported once.
      const reported = new Set<string>();
      const skip = (error: PondError) => {
        const key = `${error.code} ${error.path} ${error.detail}`;
        if (reported.has(key)) return;
        reported.add(key);
        context.skip(error);
      };
      const after = await fs.atVersion(version);
      const afterTree = await snapshotTree(after.root(), skip).finally(() => after.close());
      let beforeTree = new Map();
      if (version > 0) {
        const before = await fs.atVersion(version - 1);
        beforeTree = await snapshotTree(before.root(), skip).finally(() => before.close());
      }
      return { commit, changes: diffTrees(beforeTree, afterTree) };
    });
    if (context.json) {
      await write(context.io.stdout, toJson({ ...commitJson(commit), changes }));
      return;
    }
    await writeLines(context.io.stdout, showLines(commit, changes));
  },
};

/** The commit's line, then its changes: each line made as it is written (paths can be long). */
function* showLines(commit: CommitInfo, changes: readonly TreeChange[]): Generator<string> {
  yield `version ${commit.version}  ${formatTime(commit.timestamp)}  ${describeCommit(commit)}`;
  if (changes.length === 0) yield "  (no changes to paths)";
  else yield* renderChanges(changes);
}

function renderChanges(changes: readonly TreeChange[]): Iterable<string> {
  return renderTable(
    [{ header: "CHANGE" }, { header: "TYPE" }, { header: "PATH" }, { header: "DETAIL" }],
    changes.map((c) => {
      const path = quoteName(c.path);
      return [c.change, c.type, c.from ? `${quoteName(c.from)} -> ${path}` : path, detail(c)];
    }),
    { indent: "  " },
  );
}

function detail(change: TreeChange): string {
  if (change.type === "directory") return "";
  const size = change.size === undefined ? "" : `${change.size} bytes`;
  if (change.change === "modified") return `v${change.fromVersion} -> v${change.version}, ${size}`;
  if (change.change === "added" || change.change === "removed")
    return `v${change.version}, ${size}`;
  return "";
}
