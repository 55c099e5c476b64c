// Rows reusing a (node_id, version) that is already taken: in a later commit, twice in one
// commit, or an old version number again; for files and for directory records.

import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, dataFilePaths, directoryPaths, partitionPath } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, fileRow, insertEntry, text } from "../crafted-rows.js";
import type { CraftedRow } from "../delta-worker.js";

export interface DuplicateChange {
  path: string;
  how: "later-commit" | "same-commit" | "first-version";
}

export const duplicates: ChangeClass<DuplicateChange> = {
  name: "duplicate versions",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      path: fc.constantFrom(...dataFilePaths(base), ...directoryPaths(base)),
      how: fc.constantFrom<DuplicateChange["how"]>("later-commit", "same-commit", "first-version"),
    }),

  async craft(context, { path, how }) {
    const node = context.node(path);
    const taken =
      how === "later-commit"
        ? context.version(node)
        : how === "first-version"
          ? 1
          : context.nextVersion(node);
    let rows: CraftedRow[];
    let targets: string[];
    if (node.entryType === "directory") {
      // Each record binds a new name to a new file, so that either reading shows.
      rows = [];
      targets = [];
      for (const name of how === "same-commit" ? ["dup-a", "dup-b"] : ["dup"]) {
        const fileId = newNodeId();
        rows.push(
          {
            part_id: node.nodeId,
            node_id: node.nodeId,
            entry_type: "directory",
            version: taken,
            size: node.entries.size + 1,
            changes: [
              insertEntry(name, { nodeId: fileId, partId: node.nodeId, entryType: "file:data" }),
            ],
          },
          fileRow(node.nodeId, fileId, 1, text(`duplicate record's ${name}\n`)),
        );
        targets.push(childPath(path, name));
      }
    } else {
      const copies = how === "same-commit" ? ["a", "b"] : ["a"];
      rows = copies.map((copy) => ({
        ...fileRow(
          node.partId,
          node.nodeId,
          taken,
          text(`duplicate ${copy} of version ${taken}\n`),
        ),
        entry_type: node.entryType,
      }));
      targets = [path];
    }
    const version = await context.commit(rows);
    const what = `${path} (node ${node.nodeId}) got ${rows.length === 1 ? "a row" : "rows"} reusing its version ${taken} (${how}) in version ${version}`;
    const damaged =
      node.entryType === "directory" ? [path] : [path, partitionPath(context.base, path)];
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [node.nodeId] }],
      versions: [version],
      targets,
      corrupt: node.entryType === "directory" ? [] : targets,
      damaged,
    });
  },
};
