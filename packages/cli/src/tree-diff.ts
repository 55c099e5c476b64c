// What changed between two versions of a pond: both trees walked in full, matched by node id.

import type { EntryType, NodeId, WD } from "@pond/tinyfs";
import { pondJoin } from "./pond-paths.js";

/** One node as a tree holds it. */
export interface TreeRecord {
  path: string;
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

/** Every node below the root (symlinks not followed), by node id. */
export async function snapshotTree(root: WD): Promise<Map<NodeId, TreeRecord>> {
  const nodes = new Map<NodeId, TreeRecord>();
  const walk = async (dir: string, dirId: NodeId): Promise<void> => {
    for (const entry of await root.readdir(dir)) {
      const path = pondJoin(dir, entry.name);
      const record: TreeRecord = {
        path,
        name: entry.name,
        parentId: dirId,
        nodeId: entry.nodeId,
        type: entry.entryType,
      };
      if (entry.entryType === "directory") {
        nodes.set(entry.nodeId, record);
        await walk(path, entry.nodeId);
        continue;
      }
      const meta = await root.lstat(path);
      record.version = meta.version;
      record.size = meta.size;
      nodes.set(entry.nodeId, record);
    }
  };
  await walk("/", root.nodeId);
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
      changes.push({ change: "added", ...describe(now) });
      continue;
    }
    const moved = then.path !== now.path;
    const onlyAncestorMoved = then.name === now.name && then.parentId === now.parentId;
    if (moved && !onlyAncestorMoved) {
      changes.push({ change: "renamed", from: then.path, ...describe(now) });
    }
    if (now.type !== "directory" && now.version !== then.version) {
      changes.push({
        change: "modified",
        ...describe(now),
        ...(then.version !== undefined && { fromVersion: then.version }),
      });
    }
  }
  for (const [id, then] of before) {
    if (!after.has(id)) changes.push({ change: "removed", ...describe(then) });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function describe(record: TreeRecord): Omit<TreeChange, "change"> {
  return {
    path: record.path,
    type: record.type,
    nodeId: record.nodeId,
    ...(record.version !== undefined && { version: record.version }),
    ...(record.size !== undefined && { size: record.size }),
  };
}
