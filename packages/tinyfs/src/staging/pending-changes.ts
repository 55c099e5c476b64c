// The open transaction's staged changes, with savepoints.

import type { StagedVersion } from "../backend/persistence-layer.js";
import { PondError } from "../errors.js";
import { andThen, type MaybePromise } from "../maybe-promise.js";
import type { DirEntry } from "../node.js";
import type { NodeId } from "../node-id.js";

/** How one name of a directory changes in a transaction: the new entry, or null if unbound. */
export type StagedEntries = Map<string, DirEntry | null>;

/** A change to one name of a directory. */
export type DirectoryOperation =
  /** Bind the name to a child, replacing whatever it named. */
  | { kind: "insert"; child: Omit<DirEntry, "name"> }
  /** Unbind the name. */
  | { kind: "delete" }
  /** Move the name's binding to `newName` in the same directory, replacing what `newName` named. */
  | { kind: "rename"; newName: string };

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
  /** Directories created in this transaction: they have no committed state to read. */
  readonly created = new Set<NodeId>();
  /** How many names are staged as unbound: a commit looks for those that change nothing. */
  unbinds = 0;
  private readonly undo: Array<() => void> = [];

  get isEmpty(): boolean {
    return this.nodes.size === 0 && this.dirs.size === 0;
  }

  /** The staged versions of a node, oldest first, if any. */
  versionsOf(nodeId: NodeId): StagedVersion[] | undefined {
    return this.nodes.get(nodeId);
  }

  newestOf(nodeId: NodeId): StagedVersion | undefined {
    const staged = this.nodes.get(nodeId);
    return staged?.[staged.length - 1];
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

  /** Stages a new, empty directory. */
  createDirectory(dirId: NodeId): void {
    this.touchDirectory(dirId);
    this.created.add(dirId);
    this.undo.push(() => this.created.delete(dirId));
  }

  private touchDirectory(dirId: NodeId): StagedEntries {
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
    if (entry === null) this.unbinds++;
    this.undo.push(() => {
      if (entry === null) this.unbinds--;
      if (had) entries.set(name, before ?? null);
      else entries.delete(name);
    });
  }

  /** A committed listing (sorted by name) with this transaction's changes applied, sorted. */
  overlay(dirId: NodeId, committed: readonly DirEntry[]): readonly DirEntry[] {
    const staged = this.dirs.get(dirId);
    if (!staged || staged.size === 0) return committed;
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
    this.created.clear();
    this.unbinds = 0;
    this.undo.length = 0;
  }
}

export function sortEntries(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
