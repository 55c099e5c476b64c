// What an open transaction depends on, to decide whether a concurrent commit conflicts with it.

import type { NodeId } from "@pond/tinyfs";
import type { DirectoryChange } from "./directory-record.js";

export class ReadSet {
  private readonly names = new Map<NodeId, Set<string>>();
  private readonly listings = new Set<NodeId>();

  /** The transaction looked up (or changed) one name. */
  name(dirId: NodeId, name: string): void {
    const names = this.names.get(dirId) ?? new Set<string>();
    this.names.set(dirId, names);
    names.add(name);
  }

  /** The transaction read a whole listing: it depends on every name. */
  listing(dirId: NodeId): void {
    this.listings.add(dirId);
  }

  /** Whether a concurrent change to a directory touches anything read. */
  conflictsWith(dirId: NodeId, changes: readonly DirectoryChange[] | "all"): boolean {
    if (this.listings.has(dirId)) return true;
    const names = this.names.get(dirId);
    if (!names) return false;
    if (changes === "all") return true;
    return changes.some((change) => names.has(change.name));
  }

  /** The names looked up in each directory, and the directories listed whole. */
  read(): { names: ReadonlyMap<NodeId, ReadonlySet<string>>; listings: ReadonlySet<NodeId> } {
    return { names: this.names, listings: this.listings };
  }

  /** Whether the transaction depends on `name` in `dirId`. */
  dependsOn(dirId: NodeId, name: string): boolean {
    return this.listings.has(dirId) || (this.names.get(dirId)?.has(name) ?? false);
  }

  clear(): void {
    this.names.clear();
    this.listings.clear();
  }
}
