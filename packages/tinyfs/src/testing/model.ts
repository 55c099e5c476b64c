// A plain in-memory model of a pond's tree: the reference the property test compares a backend with.

import type { PondErrorCode } from "../errors.js";
import type { FileEntryType } from "../node.js";
import { sha256 } from "./assertions.js";
import { describeDirectory, describeFile, describeSymlink, type TreeDump } from "./tree-dump.js";

/** Model nodes are numbered; the root is 0. */
export type ModelId = number;

export interface ModelDir {
  kind: "directory";
  id: ModelId;
  entries: Map<string, ModelNode>;
}

export interface ModelFile {
  kind: "file";
  id: ModelId;
  /** The directory the file was created in (its partition; kept when moved). */
  part: ModelId;
  entryType: FileEntryType;
  /** Content of versions 1..n. */
  versions: string[];
}

export interface ModelLink {
  kind: "symlink";
  id: ModelId;
  part: ModelId;
  target: string;
}

export type ModelNode = ModelDir | ModelFile | ModelLink;

/** What the model expects a failing call to throw. */
export class ModelError extends Error {
  constructor(
    readonly code: PondErrorCode,
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
  }
}

/** One directory of a physical path: its name in its parent ("" for the root). */
interface ChainLink {
  name: string;
  dir: ModelDir;
}

type Chain = ChainLink[];

interface Resolution {
  /** The directory that holds (or would hold) the final name; empty for the root. */
  parent: Chain;
  name: string;
  node: ModelNode | undefined;
}

interface ParsedPath {
  absolute: boolean;
  components: string[];
  trailingSlash: boolean;
  endsInDots: boolean;
}

/** A directory's physical path and ids, kept as names so it survives snapshots and rollbacks. */
export interface ModelWd {
  names: string[];
  ids: ModelId[];
}

/** Node metadata as the model predicts it; `version` is left out for directories. */
export interface ModelMeta {
  id: ModelId;
  part: ModelId;
  entryType: string;
  version?: number;
  size: number;
  sha256: string;
}

export interface ModelEntry {
  name: string;
  id: ModelId;
  part: ModelId;
  entryType: string;
}

export interface ModelVersion {
  id: ModelId;
  version: number;
  size: number;
  sha256: string;
}

export const MAX_HOPS = 32;
const MAX_NAME_BYTES = 255;
const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function parse(path: string): ParsedPath {
  if (path.length === 0) throw new ModelError("EINVAL", path);
  if (path.includes("\0")) throw new ModelError("EINVAL", path);
  const raw = path.split("/");
  const components: string[] = [];
  for (const part of raw) {
    if (part === "" || part === ".") continue;
    if (part !== ".." && byteLength(part) > MAX_NAME_BYTES) throw new ModelError("EINVAL", path);
    components.push(part);
  }
  const last = raw[raw.length - 1];
  return {
    absolute: path.startsWith("/"),
    components,
    trailingSlash: path.length > 1 && path.endsWith("/"),
    endsInDots: last === "." || last === "..",
  };
}

function newDir(id: ModelId): ModelDir {
  return { kind: "directory", id, entries: new Map() };
}

function cloneNode(node: ModelNode): ModelNode {
  switch (node.kind) {
    case "directory":
      return cloneDir(node);
    case "file":
      return { ...node, versions: [...node.versions] };
    case "symlink":
      return { ...node };
  }
}

function cloneDir(dir: ModelDir): ModelDir {
  const entries = new Map<string, ModelNode>();
  for (const [name, child] of dir.entries) entries.set(name, cloneNode(child));
  return { kind: "directory", id: dir.id, entries };
}

function sortedEntries(dir: ModelDir): Array<[string, ModelNode]> {
  return [...dir.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function entryType(node: ModelNode): string {
  return node.kind === "file" ? node.entryType : node.kind;
}

function partOf(node: ModelNode): ModelId {
  return node.kind === "directory" ? node.id : node.part;
}

export function entryOf(name: string, node: ModelNode): ModelEntry {
  return { name, id: node.id, part: partOf(node), entryType: entryType(node) };
}

function metaOf(node: ModelNode): ModelMeta {
  switch (node.kind) {
    case "directory":
      return {
        id: node.id,
        part: node.id,
        entryType: "directory",
        size: node.entries.size,
        sha256: "",
      };
    case "symlink":
      return {
        id: node.id,
        part: node.part,
        entryType: "symlink",
        version: 1,
        size: byteLength(node.target),
        sha256: sha256(node.target),
      };
    case "file": {
      const content = node.versions[node.versions.length - 1] ?? "";
      return {
        id: node.id,
        part: node.part,
        entryType: node.entryType,
        version: node.versions.length,
        size: byteLength(content),
        sha256: sha256(content),
      };
    }
  }
}

export function chainPath(chain: readonly { name: string }[]): string {
  return chain.length <= 1
    ? "/"
    : chain
        .slice(1)
        .map((c) => `/${c.name}`)
        .join("");
}

/** The tree at `root` in the format of {@link dumpTree}. */
export function dumpModel(root: ModelDir): TreeDump {
  const dump: TreeDump = {};
  const walk = (dir: ModelDir, path: string) => {
    dump[path] = describeDirectory(dir.entries.size);
    for (const [name, node] of dir.entries) {
      const child = path === "/" ? `/${name}` : `${path}/${name}`;
      if (node.kind === "directory") walk(node, child);
      else if (node.kind === "symlink") dump[child] = describeSymlink(node.target);
      else dump[child] = describeFile(node.entryType, node.versions);
    }
  };
  walk(root, "/");
  return dump;
}

/**
 * The reference pond: a tree of plain objects, a snapshot per committed
 * version, and the same path semantics the contract specifies — POSIX
 * resolution with physical `..`, symlinks followed in every component but a
 * non-followed last one, a trailing `/` that follows and demands a
 * directory, and ELOOP past 32 hops or on re-entering a link being expanded.
 *
 * Every mutation is atomic (a failing one changes nothing) and marks the
 * open transaction dirty; {@link commit} turns a dirty transaction into the
 * next version.
 */
export class PondModel {
  root: ModelDir = newDir(0);
  /** snapshots[v] is the tree as of version v. */
  readonly snapshots: ModelDir[] = [cloneDir(this.root)];
  /** messages[v]: the message the commit of version v was given (undefined for autocommit). */
  readonly messages: Array<string | undefined> = [undefined];
  private nextId = 1;
  private dirty = false;

  get version(): number {
    return this.snapshots.length - 1;
  }

  // ---- transactions -------------------------------------------------------

  /** The state a transaction or nested transaction can return to. */
  savepoint(): { root: ModelDir; dirty: boolean } {
    return { root: cloneDir(this.root), dirty: this.dirty };
  }

  restore(savepoint: { root: ModelDir; dirty: boolean }): void {
    this.root = cloneDir(savepoint.root);
    this.dirty = savepoint.dirty;
  }

  begin(): void {
    this.dirty = false;
  }

  /** Commits the open transaction; true if it made a version. */
  commit(message?: string): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.snapshots.push(cloneDir(this.root));
    this.messages.push(message);
    return true;
  }

  rollback(to: { root: ModelDir; dirty: boolean }): void {
    this.restore(to);
    this.dirty = false;
  }

  // ---- working directories ----------------------------------------------

  rootWd(): ModelWd {
    return { names: [], ids: [0] };
  }

  /** The directory chain of `wd`, or undefined if it no longer is where it was. */
  chainOf(wd: ModelWd): Chain | undefined {
    const chain: Chain = [{ name: "", dir: this.root }];
    for (const [i, name] of wd.names.entries()) {
      const top = chain[chain.length - 1] as ChainLink;
      const node = top.dir.entries.get(name);
      if (node?.kind !== "directory" || node.id !== wd.ids[i + 1]) return undefined;
      chain.push({ name, dir: node });
    }
    return chain;
  }

  wdPath(wd: ModelWd): string {
    return wd.names.length === 0 ? "/" : `/${wd.names.join("/")}`;
  }

  private wdOf(chain: Chain): ModelWd {
    return { names: chain.slice(1).map((c) => c.name), ids: chain.map((c) => c.dir.id) };
  }

  private startChain(wd: ModelWd): Chain {
    const chain = this.chainOf(wd);
    if (!chain) throw new Error(`model: working directory ${this.wdPath(wd)} is gone`);
    return chain;
  }

  // ---- resolution ---------------------------------------------------------

  /**
   * Resolves `path` from `start`. `path` is what errors report (the caller's
   * argument); `followFinal` follows a final symlink (a trailing `/` always does).
   */
  private resolve(start: Chain, path: string, followFinal: boolean, reportAs = path): Resolution {
    const parsed = parse(path);
    const follow = followFinal || parsed.trailingSlash;
    let chain: Chain = parsed.absolute ? [{ name: "", dir: this.root }] : [...start];
    const queue: Array<string | { release: ModelId }> = [...parsed.components];
    const busy = new Set<ModelId>();
    let hops = 0;
    while (queue.length > 0) {
      const component = queue.shift() as string | { release: ModelId };
      if (typeof component !== "string") {
        busy.delete(component.release);
        continue;
      }
      const isLast = !queue.some((c) => typeof c === "string");
      if (component === "..") {
        if (chain.length > 1) chain = chain.slice(0, -1);
        continue;
      }
      const dir = (chain[chain.length - 1] as ChainLink).dir;
      const node = dir.entries.get(component);
      if (!node) {
        if (isLast) return { parent: chain, name: component, node: undefined };
        throw new ModelError("ENOENT", reportAs);
      }
      if (node.kind === "symlink" && (!isLast || follow)) {
        hops++;
        if (busy.has(node.id) || hops > MAX_HOPS) throw new ModelError("ELOOP", reportAs);
        busy.add(node.id);
        const target = parse(node.target);
        if (target.absolute) chain = [{ name: "", dir: this.root }];
        queue.unshift(...target.components, { release: node.id });
        continue;
      }
      if (node.kind === "directory") {
        chain = [...chain, { name: component, dir: node }];
        continue;
      }
      if (!isLast || parsed.trailingSlash) throw new ModelError("ENOTDIR", reportAs);
      return { parent: chain, name: component, node };
    }
    const top = chain[chain.length - 1] as ChainLink;
    return { parent: chain.slice(0, -1), name: top.name, node: top.dir };
  }

  private existing(r: Resolution, path: string): ModelNode {
    if (!r.node) throw new ModelError("ENOENT", path);
    return r.node;
  }

  /** Runs a mutation so that a failure leaves the tree as it was. */
  private atomic<T>(fn: () => T): T {
    const before = this.savepoint();
    try {
      return fn();
    } catch (error) {
      this.restore(before);
      throw error;
    }
  }

  private create(parent: Chain, name: string, make: (id: ModelId, part: ModelId) => ModelNode) {
    const dir = (parent[parent.length - 1] as ChainLink).dir;
    const node = make(this.nextId++, dir.id);
    dir.entries.set(name, node);
    this.dirty = true;
    return node;
  }

  // ---- operations (the WD API) -------------------------------------------

  createDirPath(wd: ModelWd, path: string, recursive: boolean): { wd: ModelWd; id: ModelId } {
    return this.atomic(() => {
      const start = this.startChain(wd);
      const parsed = parse(path);
      if (!recursive) {
        if (parsed.endsInDots) throw new ModelError("EINVAL", path);
        // The new name itself is never followed: an existing link (even a dangling one) is EEXIST.
        const bare = parsed.trailingSlash ? path.replace(/\/+$/, "") || "/" : path;
        const r = this.resolve(start, bare, false, path);
        if (r.node) throw new ModelError("EEXIST", path);
        const dir = this.create(r.parent, r.name, (id) => newDir(id)) as ModelDir;
        const chain = [...r.parent, { name: r.name, dir }];
        return { wd: this.wdOf(chain), id: dir.id };
      }
      let chain: Chain = parsed.absolute ? [{ name: "", dir: this.root }] : start;
      for (const [i, name] of parsed.components.entries()) {
        if (name === "..") {
          if (chain.length > 1) chain = chain.slice(0, -1);
          continue;
        }
        const last = i === parsed.components.length - 1;
        const r = this.resolve(chain, name, true, path);
        if (r.node?.kind === "directory") {
          chain = [...r.parent, { name: r.name, dir: r.node }];
          continue;
        }
        const top = (chain[chain.length - 1] as ChainLink).dir;
        const parentDir = r.parent[r.parent.length - 1]?.dir;
        if (r.node || r.name !== name || parentDir !== top) {
          throw new ModelError(last ? "EEXIST" : "ENOTDIR", path);
        }
        const dir = this.create(chain, name, (id) => newDir(id)) as ModelDir;
        chain = [...chain, { name, dir }];
      }
      const top = chain[chain.length - 1] as ChainLink;
      return { wd: this.wdOf(chain), id: top.dir.id };
    });
  }

  openDirPath(wd: ModelWd, path: string): { wd: ModelWd; id: ModelId } {
    const r = this.resolve(this.startChain(wd), path, true);
    const node = this.existing(r, path);
    if (node.kind !== "directory") throw new ModelError("ENOTDIR", path);
    const chain = [...r.parent, { name: r.name, dir: node }];
    return { wd: this.wdOf(chain), id: node.id };
  }

  writeFile(wd: ModelWd, path: string, content: string, type?: FileEntryType): ModelMeta {
    return this.atomic(() => {
      const parsed = parse(path);
      if (parsed.trailingSlash) throw new ModelError("EISDIR", path);
      if (parsed.endsInDots) throw new ModelError("EINVAL", path);
      const r = this.resolve(this.startChain(wd), path, true);
      if (r.node?.kind === "directory") throw new ModelError("EISDIR", path);
      if (r.node?.kind === "file") {
        if (type !== undefined && type !== r.node.entryType) throw new ModelError("EINVAL", path);
        r.node.versions.push(content);
        this.dirty = true;
        return metaOf(r.node);
      }
      const file = this.create(r.parent, r.name, (id, part) => ({
        kind: "file",
        id,
        part,
        entryType: type ?? "file:data",
        versions: [content],
      }));
      return metaOf(file);
    });
  }

  readFile(wd: ModelWd, path: string, version?: number): string {
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      parse(path);
      throw new ModelError("EINVAL", path);
    }
    const node = this.existing(this.resolve(this.startChain(wd), path, true), path);
    if (node.kind === "directory") throw new ModelError("EISDIR", path);
    if (node.kind !== "file") throw new Error("model: a followed path ended on a symlink");
    const content = node.versions[(version ?? node.versions.length) - 1];
    if (content === undefined) throw new ModelError("ENOENT", path);
    return content;
  }

  createSymlinkPath(wd: ModelWd, path: string, target: string): void {
    this.atomic(() => {
      if (target.length === 0 || target.includes("\0")) throw new ModelError("EINVAL", path);
      const parsed = parse(path);
      if (parsed.endsInDots || parsed.trailingSlash) throw new ModelError("EINVAL", path);
      const r = this.resolve(this.startChain(wd), path, false);
      if (r.node) throw new ModelError("EEXIST", path);
      this.create(r.parent, r.name, (id, part) => ({ kind: "symlink", id, part, target }));
    });
  }

  readlink(wd: ModelWd, path: string): string {
    const node = this.existing(this.resolve(this.startChain(wd), path, false), path);
    if (node.kind !== "symlink") throw new ModelError("EINVAL", path);
    return node.target;
  }

  exists(wd: ModelWd, path: string): boolean {
    try {
      return this.resolve(this.startChain(wd), path, true).node !== undefined;
    } catch (error) {
      if (error instanceof ModelError && ["ENOENT", "ENOTDIR", "ELOOP"].includes(error.code)) {
        return false;
      }
      throw error;
    }
  }

  stat(wd: ModelWd, path: string): ModelMeta {
    return metaOf(this.existing(this.resolve(this.startChain(wd), path, true), path));
  }

  lstat(wd: ModelWd, path: string): ModelMeta {
    return metaOf(this.existing(this.resolve(this.startChain(wd), path, false), path));
  }

  readdir(wd: ModelWd, path = "."): ModelEntry[] {
    const node = this.existing(this.resolve(this.startChain(wd), path, true), path);
    if (node.kind !== "directory") throw new ModelError("ENOTDIR", path);
    return sortedEntries(node).map(([name, child]) => entryOf(name, child));
  }

  remove(wd: ModelWd, path: string, recursive: boolean): void {
    this.atomic(() => {
      if (parse(path).endsInDots) throw new ModelError("EINVAL", path);
      const r = this.resolve(this.startChain(wd), path, false);
      const node = this.existing(r, path);
      const parent = r.parent[r.parent.length - 1];
      if (!parent) throw new ModelError("EINVAL", path);
      if (node.kind === "directory" && !recursive && node.entries.size > 0) {
        throw new ModelError("ENOTEMPTY", path);
      }
      parent.dir.entries.delete(r.name);
      this.dirty = true;
    });
  }

  rename(wd: ModelWd, from: string, to: string): void {
    this.atomic(() => {
      const start = this.startChain(wd);
      if (parse(from).endsInDots) throw new ModelError("EINVAL", from);
      const toParsed = parse(to);
      if (toParsed.endsInDots) throw new ModelError("EINVAL", to);
      const source = this.resolve(start, from, false);
      const moved = this.existing(source, from);
      const fromDir = source.parent[source.parent.length - 1];
      if (!fromDir) throw new ModelError("EINVAL", from);
      const target = this.resolve(start, to, false);
      const toDir = target.parent[target.parent.length - 1];
      if (!toDir) throw new ModelError("EINVAL", to);
      const replaced = target.node;
      if (replaced === moved) return;
      const isDir = moved.kind === "directory";
      // A trailing slash demands a directory, and only a directory can be moved there.
      if (!isDir && toParsed.trailingSlash) throw new ModelError("ENOTDIR", to);
      if (isDir && target.parent.some((c) => c.dir === moved)) throw new ModelError("EINVAL", to);
      if (replaced?.kind === "directory") {
        if (!isDir) throw new ModelError("EISDIR", to);
        if (replaced.entries.size > 0) throw new ModelError("ENOTEMPTY", to);
      } else if (replaced && isDir) {
        throw new ModelError("ENOTDIR", to);
      }
      fromDir.dir.entries.delete(source.name);
      toDir.dir.entries.set(target.name, moved);
      this.dirty = true;
    });
  }

  listFileVersions(wd: ModelWd, path: string): ModelVersion[] | "directory" {
    const node = this.existing(this.resolve(this.startChain(wd), path, true), path);
    if (node.kind === "directory") return "directory";
    if (node.kind !== "file") throw new Error("model: a followed path ended on a symlink");
    return node.versions.map((content, i) => ({
      id: node.id,
      version: i + 1,
      size: byteLength(content),
      sha256: sha256(content),
    }));
  }

  // ---- for the glob model -------------------------------------------------

  /** The directory chain a matched entry leads into (symlinks followed), if it is a directory. */
  enter(chain: Chain, name: string, pattern: string): Chain | undefined {
    const node = (chain[chain.length - 1] as ChainLink).dir.entries.get(name);
    if (!node) return undefined;
    if (node.kind === "directory") return [...chain, { name, dir: node }];
    if (node.kind !== "symlink") return undefined;
    try {
      const r = this.resolve(chain, name, true, pattern);
      return r.node?.kind === "directory"
        ? [...r.parent, { name: r.name, dir: r.node }]
        : undefined;
    } catch (error) {
      if (error instanceof ModelError && (error.code === "ENOENT" || error.code === "ENOTDIR")) {
        return undefined;
      }
      throw error;
    }
  }

  globStart(wd: ModelWd, absolute: boolean): Chain {
    return absolute ? [{ name: "", dir: this.root }] : this.startChain(wd);
  }
}

export type { Chain as ModelChain };
export { parse as parseModelPath, sortedEntries };
