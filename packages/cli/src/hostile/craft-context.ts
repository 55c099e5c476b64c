// The pond being crafted: rows appended through the delta-rs Python package as new versions, with
// each node's versions and each directory's entry count carried from one change to the next.

import type { NodeId } from "@pond/tinyfs";
import type { BasePond } from "./base-pond.js";
import type { Workspace } from "./canary-tree.js";
import type { CraftedEntry, CraftedRow, DeltaWorker } from "./delta-worker.js";
import type { ModelNode } from "./pond-model.js";

/** A case's pond as crafting goes: its base model and what earlier changes added to it. */
export class CraftContext {
  /** Newest own version per node, once a change wrote one. */
  private readonly versions = new Map<NodeId, number>();
  /** Entry count per directory, once a change wrote a record. */
  private readonly counts = new Map<NodeId, number>();

  constructor(
    readonly worker: DeltaWorker,
    readonly workspace: Workspace,
    readonly base: BasePond,
  ) {}

  node(path: string): ModelNode {
    return this.base.model.at(path);
  }

  /** The newest own version of a node so far. */
  version(node: ModelNode): number {
    return this.versions.get(node.nodeId) ?? node.version;
  }

  /** Takes the node's next own version. */
  nextVersion(node: Pick<ModelNode, "nodeId" | "version">): number {
    const next = (this.versions.get(node.nodeId) ?? node.version) + 1;
    this.versions.set(node.nodeId, next);
    return next;
  }

  /** Appends the rows as one new table version. */
  async commit(rows: CraftedRow[]): Promise<number> {
    const [version] = await this.worker.append(this.workspace.pondDir, [rows]);
    return version as number;
  }

  /**
   * A new record of `dir` making `changes`, plus `rows` (the new children), as one version.
   * The record's size is the entry count it leaves, as pond writes it.
   */
  async changeDirectory(
    dir: ModelNode,
    changes: CraftedEntry[],
    rows: CraftedRow[] = [],
  ): Promise<number> {
    const count = (this.counts.get(dir.nodeId) ?? dir.entries.size) + changes.length;
    this.counts.set(dir.nodeId, count);
    const record: CraftedRow = {
      part_id: dir.nodeId,
      node_id: dir.nodeId,
      entry_type: "directory",
      version: this.nextVersion(dir),
      size: count,
      changes,
    };
    return this.commit([record, ...rows]);
  }
}
