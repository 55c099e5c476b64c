// What changed between two versions of a pond: both trees walked in full, matched by node id.

import type { EntryType, NodeId, PondError, WD } from "@pond/tinyfs";

/** One node as a tree holds it: its place, not its path (paths are made for changes only). */
export interface TreeRecord {
  name: string;
  parentId: NodeId;
  nodeId: NodeId;
  type: EntryType;
  /** The node's own version (files and symlinks). */
  version?: number;
  size?: number;
}

export type ChangeKind = "added" | "removed" | "modified" | "renamed";

export interface TreeChange {
  change: ChangeKind;
  path: string;
  /** For renamed: the old path. */
  from?: string;
  type: EntryType;
  nodeId: NodeId;
  /** For modified: the node version before and after. */
  fromVersion?: number;
  version?: number;
  size?: number;
}

/**
 * Every node below the root (symlinks not followed), by node id. What cannot be read (a damaged
 * pond's entries) goes to `onError` and is left out.
 */
export async function snapshotTree(
  root: WD,
  onError: (error: PondError) => void,
): Promise<Map<NodeId, TreeRecord>> {
  const nodes = new Map<NodeId, TreeRecord>();
  for await (const step of root.walk("/", { metadata: true, onError })) {
    const { entry, metadata } = step;
    const record: TreeRecord = {
      name: entry.name,
      parentId: step.parentId,
      nodeId: entry.nodeId,
      type: entry.entryType,
    };
    if (entry.entryType !== "directory" && metadata) {
      record.version = metadata.version;
      record.size = metadata.size;
    }
    nodes.set(entry.nodeId, record);
  }
  return nodes;
}

/**
 * The changes from `before` to `after`, sorted by path: nodes only in `after`
 * were added, only in `before` removed; a node at a new path was renamed
 * (unless only an ancestor was), and a file or symlink with a new node
 * version was modified. Directories are not reported as modified: the
 * changes inside them are.
 */
export function diffTrees(
  before: ReadonlyMap<NodeId, TreeRecord>,
  after: ReadonlyMap<NodeId, TreeRecord>,
): TreeChange[] {
  const changes: TreeChange[] = [];
  for (const [id, now] of after) {
    const then = before.get(id);
    if (!then) {
      changes.push({ change: "added", ...describe(now, after) });
      continue;
    }
    // A new name or parent is a rename (comparing whole paths would cost their length per node).
    if (then.name !== now.name || then.parentId !== now.parentId) {
      changes.push({ change: "renamed", from: pathIn(before, then), ...describe(now, after) });
    }
    if (now.type !== "directory" && now.version !== then.version) {
      changes.push({
        change: "modified",
        ...describe(now, after),
        ...(then.version !== undefined && { fromVersion: then.version }),
      });
    }
  }
  for (const [id, then] of before) {
    if (!after.has(id)) changes.push({ change: "removed", ...describe(then, before) });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A record's path: the names of its directories up to the root. */
function pathIn(tree: ReadonlyMap<NodeId, TreeRecord>, record: TreeRecord): string {
  const names = [record.name];
  // The walk that made the tree met each directory in one place: the parents lead to the root.
  for (let up = tree.get(record.parentId); up; up = tree.get(up.parentId)) names.push(up.name);
  return `/${names.reverse().join("/")}`;
}

function describe(
  record: TreeRecord,
  tree: ReadonlyMap<NodeId, TreeRecord>,
): Omit<TreeChange, "change"> {
  return {
    path: pathIn(tree, record),
    type: record.type,
    nodeId: record.nodeId,
    ...(record.version !== undefined && { version: record.version }),
    ...(record.size !== undefined && { size: record.size }),
  };
}
