// Directory records that make the tree a graph with a cycle: a directory listing itself, its
// parent, the root, or a new directory that lists it back.

import { ROOT_ID } from "@pond/tinyfs";
import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, emptyDirectoryRow, insertEntry } from "../crafted-rows.js";

export interface CycleChange {
  dir: string;
  to: "itself" | "parent" | "root" | "through-a-child";
}

const asDirectory = (nodeId: string) => ({ nodeId, partId: nodeId, entryType: "directory" });

function parentPath(path: string): string {
  const parent = path.slice(0, path.lastIndexOf("/"));
  return parent === "" ? "/" : parent;
}

export const cycles: ChangeClass<CycleChange> = {
  name: "directory cycles",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      dir: fc.constantFrom(...directoryPaths(base)),
      to: fc.constantFrom<CycleChange["to"]>("itself", "parent", "root", "through-a-child"),
    }),

  async craft(context, { dir, to }) {
    const node = context.node(dir);
    let version: number;
    let name = "loop";
    if (to === "through-a-child") {
      const child = newNodeId();
      const record = emptyDirectoryRow(child);
      record.size = 1;
      record.changes = [insertEntry("back", asDirectory(node.nodeId))];
      version = await context.changeDirectory(
        node,
        [insertEntry(name, asDirectory(child))],
        [record],
      );
      name = "loop/back";
    } else {
      const target =
        to === "itself"
          ? node.nodeId
          : to === "root"
            ? ROOT_ID
            : context.node(parentPath(dir)).nodeId;
      version = await context.changeDirectory(node, [insertEntry(name, asDirectory(target))]);
    }
    const what = `${dir} (node ${node.nodeId}) got an entry 'loop' leading back to ${to === "through-a-child" ? "itself through a new directory" : to} in version ${version}`;
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [node.nodeId] }],
      versions: [version],
      targets: [childPath(dir, name)],
      damaged: [dir],
    });
  },
};
