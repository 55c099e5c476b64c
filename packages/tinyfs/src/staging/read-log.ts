// The read set as the FS records it: a push per lookup, indexed only when a backend asks.

import type { ReadSet } from "../backend/read-set.js";
import type { DirEntry } from "../node.js";
import type { NodeId } from "../node-id.js";

export class ReadLog implements ReadSet {
  /** `dirId, name, entry` for every name looked up (entry undefined when unbound or only changed). */
  private readonly lookups: Array<NodeId | string | DirEntry | undefined> = [];
  /** `dirId, committed entries` for every directory listed whole. */
  private readonly listings: Array<NodeId | ReadonlyMap<string, DirEntry>> = [];
  private index: { names: Map<NodeId, Set<string>>; listed: Set<NodeId> } | undefined;

  lookedUp(dirId: NodeId, name: string, entry: DirEntry | undefined): void {
    this.lookups.push(dirId, name, entry);
    this.index = undefined;
  }

  listed(dirId: NodeId, committed: ReadonlyMap<string, DirEntry>): void {
    this.listings.push(dirId, committed);
    this.index = undefined;
  }

  clear(): void {
    // Setting an array's length costs a call into the runtime, even to what it is.
    if (this.lookups.length > 0) this.lookups.length = 0;
    if (this.listings.length > 0) this.listings.length = 0;
    this.index = undefined;
  }

  dependsOn(dirId: NodeId, name: string): boolean {
    const { names, listed } = this.indexed();
    return listed.has(dirId) || names.get(dirId)?.has(name) === true;
  }

  dependsOnAny(dirId: NodeId): boolean {
    const { names, listed } = this.indexed();
    return listed.has(dirId) || names.has(dirId);
  }

  *seen(): Iterable<readonly [NodeId, string, DirEntry]> {
    const lookups = this.lookups;
    for (let i = 0; i < lookups.length; i += 3) {
      const entry = lookups[i + 2] as DirEntry | undefined;
      if (entry) yield [lookups[i] as NodeId, lookups[i + 1] as string, entry];
    }
    const listings = this.listings;
    for (let i = 0; i < listings.length; i += 2) {
      const dirId = listings[i] as NodeId;
      for (const [name, entry] of listings[i + 1] as ReadonlyMap<string, DirEntry>) {
        yield [dirId, name, entry];
      }
    }
  }

  private indexed(): { names: Map<NodeId, Set<string>>; listed: Set<NodeId> } {
    if (this.index) return this.index;
    const names = new Map<NodeId, Set<string>>();
    const lookups = this.lookups;
    for (let i = 0; i < lookups.length; i += 3) {
      const dirId = lookups[i] as NodeId;
      const set = names.get(dirId);
      if (set) set.add(lookups[i + 1] as string);
      else names.set(dirId, new Set([lookups[i + 1] as string]));
    }
    const listed = new Set<NodeId>();
    for (let i = 0; i < this.listings.length; i += 2) listed.add(this.listings[i] as NodeId);
    this.index = { names, listed };
    return this.index;
  }
}
