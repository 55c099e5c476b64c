// The open transaction's staged changes, with savepoints: a building block for backends.

import { PondError } from "./errors.js";
import { andThen, type MaybePromise } from "./maybe-promise.js";
import type { DirEntry, NodeMetadata } from "./node.js";
import type { NodeId } from "./node-id.js";
import type { DirectoryOperation, NodeWrite } from "./persistence.js";

export interface StagedVersion {
  meta: NodeMetadata;
  write: NodeWrite;
  /** Where the backend already stored the content, if not in `write.content`. */
  contentRef?: string;
}

/** How one name of a directory changes in a transaction: the new entry, or null if unbound. */
export type StagedEntries = Map<string, DirEntry | null>;

/**
 * Node versions and directory changes staged by one transaction. Every
 * change records how to undo itself, so a savepoint is an index into the
 * undo log.
 */
export class PendingChanges {
  /** Staged node versions, per node, oldest first. */
  readonly nodes = new Map<NodeId, StagedVersion[]>();
  /** Staged directory changes, per directory. */
  readonly dirs = new Map<NodeId, StagedEntries>();
  private readonly undo: Array<() => void> = [];

  get isEmpty(): boolean {
    return this.nodes.size === 0 && this.dirs.size === 0;
  }

  /** The staged versions of a node (empty if none). */
  versionsOf(nodeId: NodeId): StagedVersion[] {
    return this.nodes.get(nodeId) ?? [];
  }

  newestOf(nodeId: NodeId): StagedVersion | undefined {
    const staged = this.nodes.get(nodeId);
    return staged?.[staged.length - 1];
  }

  /**
   * Which version a read means: `version`, or the newest staged, or the newest
   * committed. Returns the staged one (`staged`) or the committed one, if any.
   */
  pickVersion<T extends { meta: NodeMetadata }>(
    nodeId: NodeId,
    committed: readonly T[],
    version?: number,
  ): { staged: StagedVersion } | { committed: T } | undefined {
    const staged = this.nodes.get(nodeId);
    if (version === undefined) {
      const newest = staged?.[staged.length - 1];
      if (newest) return { staged: newest };
      const last = committed[committed.length - 1];
      return last ? { committed: last } : undefined;
    }
    const hit = staged?.find((s) => s.meta.version === version);
    if (hit) return { staged: hit };
    const found = committed.find((c) => c.meta.version === version);
    return found ? { committed: found } : undefined;
  }

  stageVersion(version: StagedVersion): void {
    const id = version.meta.nodeId;
    const staged = this.nodes.get(id);
    if (staged) {
      staged.push(version);
      this.undo.push(() => staged.pop());
    } else {
      this.nodes.set(id, [version]);
      this.undo.push(() => this.nodes.delete(id));
    }
  }

  /**
   * The staged state of one name: an entry, null if staged as unbound, or
   * undefined if the transaction did not touch it.
   */
  stagedEntry(dirId: NodeId, name: string): DirEntry | null | undefined {
    return this.dirs.get(dirId)?.get(name);
  }

  /** Stages a directory operation; `lookup` sees committed and staged state. */
  applyDirectoryOperation(
    dirId: NodeId,
    name: string,
    op: DirectoryOperation,
    lookup: (dirId: NodeId, name: string) => MaybePromise<DirEntry | undefined>,
  ): MaybePromise<void> {
    switch (op.kind) {
      case "insert": {
        // Built whole: in V8 the keys a spread adds to a literal live in a separate array.
        const { nodeId, partId, entryType } = op.child;
        this.setEntry(dirId, name, { name, nodeId, partId, entryType });
        return;
      }
      case "delete":
        this.setEntry(dirId, name, null);
        return;
      case "rename":
        return andThen(lookup(dirId, name), (entry) => {
          if (!entry) throw new PondError("ENOENT", "no such entry to rename", { path: name });
          if (op.newName === name) return;
          this.setEntry(dirId, name, null);
          this.setEntry(dirId, op.newName, { ...entry, name: op.newName });
        });
    }
  }

  /** Marks a directory as changed in this transaction (e.g. created) even with no entries yet. */
  touchDirectory(dirId: NodeId): StagedEntries {
    let entries = this.dirs.get(dirId);
    if (!entries) {
      const created = new Map<string, DirEntry | null>();
      entries = created;
      this.dirs.set(dirId, created);
      this.undo.push(() => this.dirs.delete(dirId));
    }
    return entries;
  }

  private setEntry(dirId: NodeId, name: string, entry: DirEntry | null): void {
    const entries = this.touchDirectory(dirId);
    const had = entries.has(name);
    const before = entries.get(name);
    entries.set(name, entry);
    this.undo.push(() => {
      if (had) entries.set(name, before ?? null);
      else entries.delete(name);
    });
  }

  /** A committed listing with this transaction's changes applied, sorted by name. */
  overlay(dirId: NodeId, committed: Iterable<DirEntry>): DirEntry[] {
    const staged = this.dirs.get(dirId);
    if (!staged || staged.size === 0) {
      return Array.isArray(committed) ? committed : [...committed];
    }
    const merged = new Map<string, DirEntry>();
    for (const entry of committed) merged.set(entry.name, entry);
    for (const [name, entry] of staged) {
      if (entry) merged.set(name, entry);
      else merged.delete(name);
    }
    return sortEntries([...merged.values()]);
  }

  savepoint(): number {
    return this.undo.length;
  }

  rollbackTo(savepoint: number): void {
    while (this.undo.length > savepoint) this.undo.pop()?.();
  }

  clear(): void {
    this.nodes.clear();
    this.dirs.clear();
    this.undo.length = 0;
  }
}

export function sortEntries(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
