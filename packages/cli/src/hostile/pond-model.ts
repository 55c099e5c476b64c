// What crafting needs to know about a pond: its nodes, where they are and their newest versions,
// replayed from the rows another Delta reader sees.

import { type NodeId, ROOT_ID } from "@pond/tinyfs";
import type { StoredRow } from "./delta-worker.js";

/** The attrs of a directory record that is a whole listing (pond's own marker). */
const SNAPSHOT_ATTRS = JSON.stringify({ "pond.directory": "snapshot" });

export interface ChildRef {
  nodeId: NodeId;
  partId: NodeId;
  entryType: string;
}

export interface ModelNode {
  nodeId: NodeId;
  /** The partition its rows are in: its own id for a directory. */
  partId: NodeId;
  entryType: string;
  /** Its pond path in the newest version. */
  path: string;
  /** Its newest own version. */
  version: number;
  size: number;
  sha256: string;
  contentRef: string | null;
  attrs: string | null;
  /** A directory's entries by name. */
  entries: Map<string, ChildRef>;
}

/** A pond's tree at its newest version. */
export class PondModel {
  private constructor(
    /** The table's newest version. */
    readonly version: number,
    readonly nodes: ReadonlyMap<NodeId, ModelNode>,
    private readonly byPath: ReadonlyMap<string, ModelNode>,
  ) {}

  static fromRows(rows: readonly StoredRow[]): PondModel {
    const newest = new Map<NodeId, StoredRow>();
    const records = new Map<NodeId, StoredRow[]>();
    let version = 0;
    for (const row of rows) {
      version = Math.max(version, row.txn_seq);
      const seen = newest.get(row.node_id);
      if (!seen || seen.version < row.version) newest.set(row.node_id, row);
      if (row.changes) {
        const list = records.get(row.node_id) ?? [];
        records.set(row.node_id, list);
        list.push(row);
      }
    }
    const nodes = new Map<NodeId, ModelNode>();
    for (const [nodeId, row] of newest) {
      nodes.set(nodeId, {
        nodeId,
        partId: row.part_id,
        entryType: row.entry_type,
        path: "",
        version: row.version,
        size: row.size,
        sha256: row.sha256,
        contentRef: row.content_ref,
        attrs: row.attrs,
        entries: replay(records.get(nodeId) ?? []),
      });
    }
    const byPath = new Map<string, ModelNode>();
    const root = nodes.get(ROOT_ID);
    if (root) {
      root.path = "/";
      // Breadth first, iteratively: a pond may be thousands of directories deep.
      const queue = [root];
      for (let i = 0; i < queue.length; i++) {
        const dir = queue[i] as ModelNode;
        byPath.set(dir.path, dir);
        for (const [name, child] of dir.entries) {
          const node = nodes.get(child.nodeId);
          if (node?.path !== "") continue;
          node.path = dir.path === "/" ? `/${name}` : `${dir.path}/${name}`;
          if (node.entryType === "directory") queue.push(node);
          else byPath.set(node.path, node);
        }
      }
    }
    return new PondModel(version, nodes, byPath);
  }

  at(path: string): ModelNode {
    const node = this.byPath.get(path);
    if (!node) throw new Error(`the pond model has no ${path}`);
    return node;
  }

  /** Every node reachable from the root, by path. */
  paths(): string[] {
    return [...this.byPath.keys()];
  }
}

/** A directory's listing from its records, oldest first, from the newest whole listing on. */
function replay(records: StoredRow[]): Map<string, ChildRef> {
  const entries = new Map<string, ChildRef>();
  for (const record of records.sort((a, b) => a.version - b.version)) {
    if (record.attrs === SNAPSHOT_ATTRS) entries.clear();
    for (const change of record.changes ?? []) {
      if (change.op === "delete") entries.delete(change.name);
      else {
        entries.set(change.name, {
          nodeId: change.child_node_id as NodeId,
          partId: change.child_part_id as NodeId,
          entryType: change.child_entry_type as string,
        });
      }
    }
  }
  return entries;
}
