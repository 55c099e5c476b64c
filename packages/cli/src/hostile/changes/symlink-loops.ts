// Symlinks that never reach a node: one naming itself, two naming each other, a chain longer
// than pond follows, and one leading back to an ancestor of its directory. Valid data: walks
// must report them and go on.

import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, fileRow, insertEntry, text } from "../crafted-rows.js";
import type { CraftedEntry, CraftedRow } from "../delta-worker.js";

export interface SymlinkLoopChange {
  dir: string;
  how: "itself" | "pair" | "long-chain" | "ancestor";
}

/** The links to make: name and target. */
function links(dir: string, how: SymlinkLoopChange["how"]): Array<[string, string]> {
  switch (how) {
    case "itself":
      return [["self", childPath(dir, "self")]];
    case "pair":
      return [
        ["ping", "pong"],
        ["pong", "ping"],
      ];
    case "long-chain":
      return Array.from({ length: 40 }, (_, i): [string, string] => [
        `hop${i}`,
        i === 39 ? "/docs" : `hop${i + 1}`,
      ]);
    case "ancestor":
      return [["up", "/"]];
  }
}

export const symlinkLoops: ChangeClass<SymlinkLoopChange> = {
  name: "symlink loops",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      dir: fc.constantFrom(...directoryPaths(base)),
      how: fc.constantFrom<SymlinkLoopChange["how"]>("itself", "pair", "long-chain", "ancestor"),
    }),

  async craft(context, { dir, how }) {
    const node = context.node(dir);
    const entries: CraftedEntry[] = [];
    const rows: CraftedRow[] = [];
    const made = links(dir, how);
    for (const [name, target] of made) {
      const id = newNodeId();
      entries.push(insertEntry(name, { nodeId: id, partId: node.nodeId, entryType: "symlink" }));
      rows.push(fileRow(node.nodeId, id, 1, text(target), "symlink"));
    }
    const version = await context.changeDirectory(node, entries, rows);
    const first = made[0] as [string, string];
    return crafted(
      `${dir} (node ${node.nodeId}) got ${made.length} symlink(s) (${how}, first ${first[0]} -> ${first[1]}) in version ${version}`,
      { versions: [version], targets: [childPath(dir, first[0])] },
    );
  },
};
