// Walking directory trees that may be damaged: each directory has one place, cycles end, work
// and memory stay linear in what is walked, and a bad subtree can be reported and skipped.

import { PondError } from "./errors.js";
import type { DirEntry, NodeMetadata } from "./node.js";
import type { NodeId } from "./node-id.js";
import { validateName } from "./path.js";
import { type DirChain, resolvePath } from "./resolver.js";
import type { Staging } from "./staging/staging.js";

/** The reads a walk makes; each may take the FS on its own, so callers can use it between steps. */
export type TreeReader = Pick<
  Staging,
  "lookupEntry" | "loadDirectoryEntries" | "readContent" | "loadNode"
>;

/**
 * A path as the names on the way down from where a walk started, made into a string only when
 * asked. A walk keeps the trails of every directory above the one it is in: as strings those
 * would cost the square of the depth (a string whose characters are read is kept flat).
 */
export class Trail {
  private constructor(
    private readonly up: Trail | undefined,
    /** The last name; for the start, its path: "" (a relative walk), "/" or a path. */
    readonly name: string,
  ) {}

  /** Where a walk starts: "" for paths relative to it, else its path. */
  static start(path: string): Trail {
    return new Trail(undefined, path);
  }

  child(name: string): Trail {
    return new Trail(this, name);
  }

  /** The path: the start's, then the names, separated by `/`. */
  toString(): string {
    return this.path(false);
  }

  /** The names below the start, separated by `/`. */
  relative(): string {
    return this.path(true);
  }

  /** The path, from `base` (an absolute path) for a trail that started relative. */
  within(base: string): string {
    let start: Trail = this;
    while (start.up) start = start.up;
    if (start.name !== "") return String(this);
    const names = this.path(true);
    if (names === "") return base;
    return base === "/" ? `/${names}` : `${base}/${names}`;
  }

  private path(relative: boolean): string {
    const names: string[] = [];
    let trail: Trail = this;
    while (trail.up) {
      names.push(trail.name);
      trail = trail.up;
    }
    names.reverse();
    const start = trail.name;
    if (relative || start === "") return names.join("/");
    if (names.length === 0) return start;
    return `${start === "/" ? "" : start}/${names.join("/")}`;
  }
}

/** Where a directory was first met: a directory has one parent and one name there. */
interface Place {
  parentId: NodeId;
  name: string;
  trail: Trail;
}

const FOLLOW = { followFinal: true };

/**
 * One walk's state. Directories are checked as they are entered: one met under a second
 * (parent, name) than the first is a damaged pond (a directory inside itself, or in two places)
 * and is CORRUPT; a symlink leading back into a directory on the way down is ELOOP.
 */
export class TreeWalker {
  private readonly places = new Map<NodeId, Place>();
  /** The absolute path of where the walk started, for trails that start relative. */
  private base = "/";

  constructor(
    private readonly reader: TreeReader,
    private readonly onError: ((error: PondError) => void) | undefined,
    /** What an error names when the walk has no path of its own for it (a glob's pattern). */
    private readonly reportAs?: string,
  ) {}

  /** Records the directories a walk starts from, so that none of them is met again below. */
  start(chain: DirChain): void {
    let parentId = "";
    let trail = Trail.start("/");
    for (const [i, dir] of chain.entries()) {
      if (i > 0) trail = trail.child(dir.name);
      this.places.set(dir.nodeId, { parentId, name: dir.name, trail });
      parentId = dir.nodeId;
    }
    this.base = String(trail);
  }

  /**
   * A directory's valid entries, sorted by name; an invalid name, or a listing that cannot be
   * read, is reported (or thrown) against `at`.
   */
  async entries(dir: DirEntry, at: Trail): Promise<DirEntry[]> {
    let entries: DirEntry[];
    try {
      entries = await this.reader.loadDirectoryEntries(dir.nodeId);
    } catch (error) {
      this.fail(error, at);
      return [];
    }
    for (const entry of entries) {
      if (!validName(entry.name)) return entries.filter((e) => this.checkName(e, at));
    }
    return entries;
  }

  /**
   * Runs `body` in the directory `entry` (of `chain`'s last directory) leads to, unless it is a
   * file, a dangling link, or a place that fails its checks (reported or thrown). A directory is
   * pushed on `chain` for the call; a symlink gives a chain of its own. With `visiting`, the
   * directories on the way down that a symlink must not lead back into, the one entered is
   * added for the call.
   */
  async descend(
    chain: DirEntry[],
    entry: DirEntry,
    at: Trail,
    visiting: Set<NodeId> | undefined,
    body: (chain: DirEntry[]) => Promise<void>,
  ): Promise<void> {
    let inner: DirEntry[];
    if (entry.entryType === "directory") {
      const parent = chain[chain.length - 1] as DirEntry;
      if (!this.placed(parent.nodeId, entry, at)) return;
      inner = chain;
      inner.push(entry);
    } else if (entry.entryType === "symlink") {
      const target = await this.resolveLink(chain, entry, at);
      if (!target) return;
      inner = target;
    } else {
      return;
    }
    const id = (inner[inner.length - 1] as DirEntry).nodeId;
    let added = false;
    try {
      if (visiting) {
        if (visiting.has(id)) {
          this.fail(new PondError("ELOOP", "symlink cycle"), at);
          return;
        }
        visiting.add(id);
        added = true;
      }
      await body(inner);
    } finally {
      if (added) visiting?.delete(id);
      if (inner === chain) chain.pop();
    }
  }

  /**
   * Every entry below `chain`'s last directory, depth first in name order: `visit` sees each
   * before what is below it, and returns false to leave a directory out. A directory met in a
   * second place is reported (or thrown) rather than visited; with `follow`, symlinks to
   * directories are descended into as well, a link back into the way down being ELOOP.
   */
  async below(
    chain: DirEntry[],
    at: Trail,
    follow: boolean,
    visiting: Set<NodeId>,
    visit: (at: Trail, entry: DirEntry, parentId: NodeId) => Promise<boolean>,
  ): Promise<void> {
    const top = chain[chain.length - 1] as DirEntry;
    for (const entry of await this.entries(top, at)) {
      const here = at.child(entry.name);
      if (entry.entryType === "directory" && !this.placed(top.nodeId, entry, here)) continue;
      if (!(await visit(here, entry, top.nodeId))) continue;
      if (entry.entryType !== "directory" && !follow) continue;
      await this.descend(chain, entry, here, visiting, (inner) =>
        this.below(inner, here, follow, visiting, visit),
      );
    }
  }

  /** The absolute path of a trail of this walk. */
  absolute(at: Trail): string {
    return at.within(this.base);
  }

  /** The newest version of `entry`'s node; CORRUPT when the directory names a missing node. */
  async metadata(entry: DirEntry): Promise<NodeMetadata> {
    const meta = await this.reader.loadNode(entry.nodeId, entry.partId);
    if (!meta) throw new PondError("CORRUPT", `entry names a missing node ${entry.nodeId}`);
    return meta;
  }

  /**
   * Reports `error` against `at` when the walk takes errors; else throws it, against the walk's
   * own name when it has one. Errors other than PondErrors (and CLOSED) always throw.
   */
  fail(error: unknown, at: Trail): void {
    if (!PondError.is(error) || error.code === "CLOSED") throw error;
    if (this.onError) this.onError(error.withPath(String(at) || "."));
    else throw error.withPath(this.reportAs ?? (String(at) || "."));
  }

  /** Whether `entry`, a directory met in `parentId`, is where it was met before (or is new). */
  placed(parentId: NodeId, entry: DirEntry, at: Trail): boolean {
    const place = this.places.get(entry.nodeId);
    if (!place) {
      this.places.set(entry.nodeId, { parentId, name: entry.name, trail: at });
      return true;
    }
    if (place.parentId === parentId && place.name === entry.name) return true;
    const first = place.trail.within(this.base);
    this.fail(
      new PondError("CORRUPT", `a directory listed here and at ${first} (a damaged pond)`),
      at,
    );
    return false;
  }

  private checkName(entry: DirEntry, dir: Trail): boolean {
    try {
      validateName(entry.name);
      return true;
    } catch (error) {
      const reason = PondError.is(error) ? error.detail : String(error);
      const invalid = new PondError("CORRUPT", `a directory entry has an invalid name: ${reason}`);
      this.fail(invalid, dir.child(entry.name));
      return false;
    }
  }

  /** The directory a symlink leads to, as a chain; undefined when it leads to no directory. */
  private async resolveLink(
    chain: DirChain,
    link: DirEntry,
    at: Trail,
  ): Promise<DirEntry[] | undefined> {
    try {
      const r = await resolvePath(this.reader, chain, link.name, FOLLOW);
      return r.entry?.entryType === "directory" ? [...r.parent, r.entry] : undefined;
    } catch (error) {
      if (PondError.is(error, "ENOENT") || PondError.is(error, "ENOTDIR")) return undefined;
      this.fail(error, at);
      return undefined;
    }
  }
}

/** The cheap test of {@link validateName}, for the loop over every entry. */
function validName(name: string): boolean {
  return (
    name !== "" &&
    name !== "." &&
    name !== ".." &&
    !name.includes("/") &&
    !name.includes("\0") &&
    name.length <= 255 / 3
  );
}
