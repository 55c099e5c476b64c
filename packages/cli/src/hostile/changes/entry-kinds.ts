// Directory records whose operations or types are outside pond's known set, or that bind a name
// to no node at all.

import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, fileRow, insertEntry, text } from "../crafted-rows.js";

export interface EntryKindChange {
  dir: string;
  kind: "unknown-op" | "unknown-entry-type" | "unknown-row-type" | "no-child";
}

export const entryKinds: ChangeClass<EntryKindChange> = {
  name: "entry types and operations",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      dir: fc.constantFrom(...directoryPaths(base)),
      kind: fc.constantFrom<EntryKindChange["kind"]>(
        "unknown-op",
        "unknown-entry-type",
        "unknown-row-type",
        "no-child",
      ),
    }),

  async craft(context, { dir, kind }) {
    const parent = context.node(dir);
    const childId = newNodeId();
    const entry = insertEntry("odd", {
      nodeId: childId,
      partId: parent.nodeId,
      entryType: kind === "unknown-entry-type" ? "file:bogus" : "file:data",
    });
    if (kind === "unknown-op") entry.op = "rename";
    if (kind === "no-child") {
      entry.child_node_id = null;
      entry.child_part_id = null;
    }
    const row = fileRow(parent.nodeId, childId, 1, text("odd\n"));
    if (kind === "unknown-row-type") row.entry_type = "bogus";
    const version = await context.changeDirectory(parent, [entry], [row]);
    const what = `${dir} (node ${parent.nodeId}) got an entry 'odd' with ${kind} (node ${childId}) in version ${version}`;
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [parent.nodeId, childId] }],
      versions: [version],
      targets: [childPath(dir, "odd")],
      damaged: [dir],
    });
  },
};
