// What a transaction depends on, and the check a backend with concurrent writers makes with it.

import { PondError } from "../errors.js";
import type { DirEntry } from "../node.js";
import { type NodeId, ROOT_ID } from "../node-id.js";
import { joinPath } from "../path.js";
import type { ChangeSet } from "./persistence-layer.js";
import { shown } from "./shown.js";

/**
 * The names a transaction looked up or changed in each directory, and the
 * directories it listed whole (a listing depends on every name).
 */
export interface ReadSet {
  /** Whether the transaction depends on `name` in directory `dirId`. */
  dependsOn(dirId: NodeId, name: string): boolean;
  /** Whether it depends on any name of directory `dirId`. */
  dependsOnAny(dirId: NodeId): boolean;
  /** Every entry it saw, as `[dirId, name, entry]`: how it got to what it touched. */
  seen(): Iterable<readonly [NodeId, string, DirEntry]>;
}

/** What a commit another writer made meanwhile changed. */
export interface ConcurrentCommit {
  version: number;
  /** Per directory, the names whose binding it changed, or "all" when it rewrote the listing. */
  directories: Iterable<readonly [NodeId, readonly string[] | "all"]>;
  /** The files and symlinks it gave new versions. */
  nodes: Iterable<NodeId>;
}

/**
 * Throws CONFLICT when `commit` changed a name that `changes` staged or its read
 * set depends on, or wrote a node that `changes` also writes; else the change
 * set may go on at the version after `commit`. The error names the pond path,
 * found through the entries the transaction saw and staged.
 */
export function checkConcurrentCommit(changes: ChangeSet, commit: ConcurrentCommit): void {
  const { readSet } = changes;
  for (const [dirId, names] of commit.directories) {
    const staged = changes.directories.get(dirId);
    const depends = (name: string) => staged?.has(name) === true || readSet.dependsOn(dirId, name);
    if (names === "all") {
      if ((staged !== undefined && staged.size > 0) || readSet.dependsOnAny(dirId)) {
        throw conflict(changes, commit.version, dirId);
      }
      continue;
    }
    const name = names.find(depends);
    if (name !== undefined) throw conflict(changes, commit.version, dirId, name);
  }
  for (const nodeId of commit.nodes) {
    if (changes.nodes.has(nodeId)) throw conflict(changes, commit.version, nodeId);
  }
}

/** CONFLICT about node `nodeId`, or about entry `name` of directory `nodeId`. */
function conflict(changes: ChangeSet, version: number, nodeId: NodeId, name?: string): PondError {
  const at = pathOf(changes, nodeId);
  const path = at === undefined || name === undefined ? at : joinPath(at, name);
  const what =
    path ?? `node ${shown(nodeId)}${name === undefined ? "" : ` (entry ${shown(name)})`}`;
  return new PondError(
    "CONFLICT",
    `a concurrent commit (version ${version}) changed ${path === undefined ? what : "it"}, ` +
      "which this transaction depends on",
    path === undefined ? {} : { path },
  );
}

/** The path of `nodeId` through the entries the transaction saw or staged, if they lead there. */
function pathOf(changes: ChangeSet, nodeId: NodeId): string | undefined {
  const parents = new Map<NodeId, { dir: NodeId; name: string }>();
  const note = (dir: NodeId, name: string, entry: DirEntry | null) => {
    if (entry && !parents.has(entry.nodeId)) parents.set(entry.nodeId, { dir, name });
  };
  for (const [dir, names] of changes.directories) {
    for (const [name, entry] of names) note(dir, name, entry);
  }
  for (const [dir, name, entry] of changes.readSet.seen()) note(dir, name, entry);
  const segments: string[] = [];
  for (let id = nodeId; id !== ROOT_ID; ) {
    const parent = parents.get(id);
    if (!parent || segments.length > parents.size) return undefined;
    segments.push(parent.name);
    id = parent.dir;
  }
  return `/${segments.reverse().join("/")}`;
}
