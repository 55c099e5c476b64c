// The number of distinct partitions a commit writes to, counted without a set for small commits.

import type { NodeId } from "../node-id.js";

/** How many partitions searched one by one before a set is made. */
const FEW_PARTITIONS = 8;

/**
 * A commit of one write touches one or two partitions, so a short list, kept
 * from commit to commit, is searched before a set is made.
 */
export class PartitionCount {
  private readonly few: NodeId[] = [];
  private count = 0;
  private many: Set<NodeId> | undefined;

  add(partId: NodeId): void {
    if (this.many) {
      this.many.add(partId);
      return;
    }
    for (let i = 0; i < this.count; i++) if (this.few[i] === partId) return;
    if (this.count === FEW_PARTITIONS) this.many = new Set([...this.few, partId]);
    else this.few[this.count++] = partId;
  }

  get size(): number {
    return this.many ? this.many.size : this.count;
  }

  clear(): void {
    this.count = 0;
    this.many = undefined;
  }
}
