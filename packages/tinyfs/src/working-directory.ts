// WD: path operations relative to one directory, run on the open transaction's staging.

import { sha256Hex } from "#platform/sha256";
import { Channel, produced } from "./channel.js";
import { DYNAMIC_KIND_ATTR, dynamicKind } from "./dynamic-node.js";
import { PondError } from "./errors.js";
import type { FS } from "./fs.js";
import { globMatches } from "./glob.js";
import { andThen, type MaybePromise, settle } from "./maybe-promise.js";
import { type DirEntry, isFileType, type NodeMetadata } from "./node.js";
import { type NodeId, newNodeId } from "./node-id.js";
import { joinPath, type ParsedPath, parsePath, validateName } from "./path.js";
import {
  chainPath,
  type DirChain,
  type Resolution,
  readSymlinkTarget,
  resolvePath,
} from "./resolver.js";
import type { NodeStreamWrite, NodeWrite } from "./staging/node-write.js";
import type { Staging } from "./staging/staging.js";
import { Trail, type TreeReader, TreeWalker } from "./tree-walk.js";
import type { GlobMatch, GlobOptions, WalkEntry, WalkOptions, WD, WriteFileOptions } from "./wd.js";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const DIRECTORY_WRITE: NewNodeWrite = {
  isNew: true,
  entryType: "directory",
  content: EMPTY,
  size: 0,
  sha256: "",
};
const FOLLOW = { followFinal: true };
const NO_FOLLOW = { followFinal: false };

/** The first version of a node: `isNew` comes first so every such write shares one shape. */
type NewNodeWrite = (NodeWrite | NodeStreamWrite) & { isNew: true };

/** What a file write says besides its content; whether the node is new is decided later. */
type FileWriteBase = Omit<NodeStreamWrite, "isNew">;

export class WorkingDirectory implements WD {
  constructor(
    private readonly fs: FS,
    private readonly chain: DirChain,
  ) {}

  get path(): string {
    return chainPath(this.chain);
  }

  get nodeId(): string {
    return (this.chain[this.chain.length - 1] as DirEntry).nodeId;
  }

  createDirPath(path: string, opts: { recursive?: boolean } = {}): Promise<WD> {
    return this.write("mkdir", path, async (p) => {
      const chain = opts.recursive
        ? await this.makeDirectories(p, path)
        : await this.makeDirectory(p, path);
      return new WorkingDirectory(this.fs, chain);
    });
  }

  openDirPath(path: string): Promise<WD> {
    return this.read(path, async (p) => {
      const r = await this.resolve(p, path, FOLLOW);
      const entry = existing(r, path);
      if (entry.entryType !== "directory") throw new PondError("ENOTDIR", "not a directory");
      return new WorkingDirectory(this.fs, [...r.parent, entry]);
    });
  }

  writeFile(
    path: string,
    data: Uint8Array | string,
    opts: WriteFileOptions = {},
  ): Promise<NodeMetadata> {
    return this.write("write", path, (p) => {
      const content = toBytes(data);
      return andThen(this.prepareFileWrite(p, path, opts), ({ r, base }) =>
        this.storeContent(p, r, base, content),
      );
    });
  }

  writeFileFrom(
    path: string,
    source: AsyncIterable<Uint8Array>,
    opts: WriteFileOptions = {},
  ): Promise<NodeMetadata> {
    return this.write("write", path, async (p) => {
      const { r, base } = await this.prepareFileWrite(p, path, opts);
      if (r.entry) return p.storeNodeFrom(r.entry.nodeId, r.entry.partId, base, source);
      return this.createNode(p, r, { isNew: true, ...base }, source);
    });
  }

  createWriteStream(path: string, opts: WriteFileOptions = {}): WritableStream<Uint8Array> {
    const channel = new Channel<Uint8Array>();
    const done = this.writeFileFrom(path, channel, opts);
    done.catch((error: unknown) => channel.fail(error));
    return new WritableStream<Uint8Array>({
      write: (chunk) => channel.push(chunk),
      close: async () => {
        channel.end();
        await done;
      },
      abort: (reason) => {
        channel.fail(reason ?? new PondError("EIO", "write stream aborted", { path }));
        return done.then(
          () => undefined,
          () => undefined,
        );
      },
    });
  }

  createReadStream(
    path: string,
    opts: { version?: number } = {},
  ): Promise<ReadableStream<Uint8Array>> {
    return this.read(path, async (p) => {
      const { version } = opts;
      checkVersion(version);
      const entry = existing(await this.resolve(p, path, FOLLOW), path);
      if (entry.entryType === "directory") throw new PondError("EISDIR", "is a directory");
      return p.openContent(entry.nodeId, entry.partId, version);
    });
  }

  readFile(path: string, opts: { version?: number } = {}): Promise<Uint8Array> {
    return this.read(path, (p) => {
      const { version } = opts;
      checkVersion(version);
      return andThen(this.resolve(p, path, FOLLOW), (r) => {
        const entry = existing(r, path);
        if (entry.entryType === "directory") throw new PondError("EISDIR", "is a directory");
        return p.readContent(entry.nodeId, entry.partId, version);
      });
    });
  }

  createSymlinkPath(path: string, target: string): Promise<void> {
    return this.write("symlink", path, async (p) => {
      if (typeof target !== "string" || target.length === 0 || target.includes("\0")) {
        throw new PondError("EINVAL", "a symlink target must be a non-empty string without NUL");
      }
      const parsed = parsePath(path);
      if (parsed.endsInDots || parsed.trailingSlash) {
        throw new PondError("EINVAL", "invalid symlink name");
      }
      const r = await this.resolve(p, path, NO_FOLLOW);
      if (r.entry) throw new PondError("EEXIST", "already exists");
      const content = encoder.encode(target);
      await this.createNode(p, r, {
        isNew: true,
        entryType: "symlink",
        content,
        size: content.length,
        sha256: sha256Hex(content),
      });
    });
  }

  readlink(path: string): Promise<string> {
    return this.read(path, async (p) => {
      const entry = existing(await this.resolve(p, path, NO_FOLLOW), path);
      if (entry.entryType !== "symlink") throw new PondError("EINVAL", "not a symlink");
      return readSymlinkTarget(p, entry);
    });
  }

  exists(path: string): Promise<boolean> {
    return this.read(path, async (p) => {
      try {
        return (await this.resolve(p, path, FOLLOW)).entry !== undefined;
      } catch (error) {
        if (PondError.is(error, "ENOENT") || PondError.is(error, "ENOTDIR")) return false;
        if (PondError.is(error, "ELOOP")) return false;
        throw error;
      }
    });
  }

  stat(path: string): Promise<NodeMetadata> {
    return this.read(path, (p) =>
      andThen(this.resolve(p, path, FOLLOW), (r) => this.metadata(p, r, path)),
    );
  }

  lstat(path: string): Promise<NodeMetadata> {
    return this.read(path, (p) =>
      andThen(this.resolve(p, path, NO_FOLLOW), (r) => this.metadata(p, r, path)),
    );
  }

  readdir(path = "."): Promise<DirEntry[]> {
    return this.read(path, async (p) => {
      const entry = existing(await this.resolve(p, path, FOLLOW), path);
      if (entry.entryType !== "directory") throw new PondError("ENOTDIR", "not a directory");
      return p.loadDirectoryEntries(entry.nodeId);
    });
  }

  remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.write("remove", path, async (p) => {
      if (parsePath(path).endsInDots) throw new PondError("EINVAL", "cannot remove . or ..");
      const r = await this.resolve(p, path, NO_FOLLOW);
      const entry = existing(r, path);
      const dir = r.parent[r.parent.length - 1];
      if (!dir) throw new PondError("EINVAL", "cannot remove the root");
      if (entry.entryType === "directory" && !opts.recursive) {
        if ((await p.loadDirectoryEntries(entry.nodeId)).length > 0) {
          throw new PondError("ENOTEMPTY", "directory not empty");
        }
      }
      await p.updateDirectoryEntry(dir.nodeId, r.name, { kind: "delete" });
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.write("rename", from, async (p) => {
      if (parsePath(from).endsInDots) throw new PondError("EINVAL", "cannot rename . or ..");
      if (parsePath(to).endsInDots) {
        throw new PondError("EINVAL", "cannot rename onto . or ..", { path: to });
      }
      const source = await this.resolve(p, from, NO_FOLLOW);
      const moved = existing(source, from);
      const fromDir = source.parent[source.parent.length - 1];
      if (!fromDir) throw new PondError("EINVAL", "cannot rename the root");
      const target = await settle(() => this.resolve(p, to, NO_FOLLOW)).catch((error: unknown) => {
        throw PondError.is(error) ? error.withPath(to) : error;
      });
      const toDir = target.parent[target.parent.length - 1];
      if (!toDir) throw new PondError("EINVAL", "cannot replace the root", { path: to });
      validateName(target.name, to);
      const replaced = target.entry;
      if (replaced?.nodeId === moved.nodeId) return;
      const isDir = moved.entryType === "directory";
      if (!isDir && parsePath(to).trailingSlash) {
        throw new PondError("ENOTDIR", "only a directory can be moved to a path ending in /", {
          path: to,
        });
      }
      if (isDir && target.parent.some((d) => d.nodeId === moved.nodeId)) {
        throw new PondError("EINVAL", "cannot move a directory into itself", { path: to });
      }
      if (replaced) {
        if (replaced.entryType === "directory") {
          if (!isDir) throw new PondError("EISDIR", "is a directory", { path: to });
          if ((await p.loadDirectoryEntries(replaced.nodeId)).length > 0) {
            throw new PondError("ENOTEMPTY", "directory not empty", { path: to });
          }
        } else if (isDir) {
          throw new PondError("ENOTDIR", "not a directory", { path: to });
        }
      }
      if (fromDir.nodeId === toDir.nodeId) {
        await p.updateDirectoryEntry(fromDir.nodeId, source.name, {
          kind: "rename",
          newName: target.name,
        });
        return;
      }
      const { name: _name, ...child } = moved;
      await p.updateDirectoryEntry(toDir.nodeId, target.name, { kind: "insert", child });
      await p.updateDirectoryEntry(fromDir.nodeId, source.name, { kind: "delete" });
    });
  }

  glob(pattern: string, options: GlobOptions = {}): AsyncIterable<GlobMatch> {
    return produced(
      (push) => globMatches(this.reader(), this.chain, pattern, push, options),
      (error) => asPondError(error, pattern),
    );
  }

  walk(path: string, options: WalkOptions = {}): AsyncIterable<WalkEntry> {
    const { followSymlinks = false, metadata = false, onError } = options;
    return produced(
      async (push) => {
        const r = await this.read(path, (p) => this.resolve(p, path, FOLLOW));
        const dir = existing(r, path);
        if (dir.entryType !== "directory") throw new PondError("ENOTDIR", "not a directory");
        const chain = [...r.parent, dir];
        const walker = new TreeWalker(this.reader(), onError);
        walker.start(chain);
        const visiting = new Set(chain.map((d) => d.nodeId));
        const start = Trail.start(path.replace(/\/+$/, "") || "/");
        await walker.below(chain, start, followSymlinks, visiting, async (at, entry, parentId) => {
          const step = new WalkStep(at, entry, parentId);
          if (metadata) {
            try {
              step.metadata = await walker.metadata(entry);
            } catch (error) {
              walker.fail(error, at);
              return false;
            }
          }
          await push(step);
          return true;
        });
      },
      (error) => asPondError(error, path),
    );
  }

  listFileVersions(path: string): Promise<NodeMetadata[]> {
    return this.read(path, async (p) => {
      const entry = existing(await this.resolve(p, path, FOLLOW), path);
      return p.listVersions(entry.nodeId, entry.partId);
    });
  }

  /** The reads of a walk, each taking the FS on its own (or joining the caller's transaction). */
  private reader(): TreeReader {
    const fs = this.fs;
    return {
      lookupEntry: (dirId, name) => fs.read((p) => p.lookupEntry(dirId, name)),
      loadDirectoryEntries: (dirId) => settle(() => fs.read((p) => p.loadDirectoryEntries(dirId))),
      readContent: (nodeId, partId, version) =>
        fs.read((p) => p.readContent(nodeId, partId, version)),
      loadNode: (nodeId, partId) => fs.read((p) => p.loadNode(nodeId, partId)),
    };
  }

  private resolve(
    p: Staging,
    path: string,
    options: { followFinal: boolean },
    parsed?: ParsedPath,
  ): MaybePromise<Resolution> {
    return resolvePath(p, this.chain, path, options, parsed);
  }

  private metadata(p: Staging, r: Resolution, path: string): MaybePromise<NodeMetadata> {
    const entry = existing(r, path);
    return andThen(p.loadNode(entry.nodeId, entry.partId), (meta) => {
      if (!meta) throw new PondError("CORRUPT", `entry names a missing node ${entry.nodeId}`);
      return meta;
    });
  }

  /** Checks a file write and finds what it writes: an existing file, or a name to create. */
  private prepareFileWrite(
    p: Staging,
    path: string,
    opts: WriteFileOptions,
  ): MaybePromise<{ r: Resolution; base: FileWriteBase }> {
    const parsed = parsePath(path);
    if (parsed.trailingSlash) throw new PondError("EISDIR", "is a directory");
    if (parsed.endsInDots) throw new PondError("EINVAL", "cannot create a file named . or ..");
    if (opts.entryType !== undefined && !isFileType(opts.entryType)) {
      throw new PondError("EINVAL", `not a file type: ${String(opts.entryType)}`);
    }
    return andThen(this.resolve(p, path, FOLLOW, parsed), (r) => {
      if (r.entry?.entryType === "directory") throw new PondError("EISDIR", "is a directory");
      if (r.entry && opts.entryType !== undefined && opts.entryType !== r.entry.entryType) {
        throw new PondError(
          "EINVAL",
          `file is ${r.entry.entryType}, cannot write it as ${opts.entryType}`,
        );
      }
      if (!r.entry) validateName(r.name);
      const base: FileWriteBase = {
        entryType: r.entry?.entryType ?? opts.entryType ?? "file:data",
        ...(opts.attrs && { attrs: opts.attrs }),
        ...(opts.minEventTime !== undefined && { minEventTime: opts.minEventTime }),
        ...(opts.maxEventTime !== undefined && { maxEventTime: opts.maxEventTime }),
      };
      if (!r.entry || opts.attrs?.[DYNAMIC_KIND_ATTR] !== undefined) return { r, base };
      return andThen(this.metadata(p, r, path), (meta) => {
        if (dynamicKind(meta) !== undefined) throw readOnlyDynamic();
        return { r, base };
      });
    });
  }

  /** The path of a dynamic node `path` leads through, if any: writes there are EROFS. */
  private async dynamicAncestor(path: string): Promise<string | undefined> {
    const parsed = parsePath(path);
    let prefix = parsed.absolute ? "/" : ".";
    for (const name of parsed.components.slice(0, -1)) {
      prefix = joinPath(prefix, name);
      const meta = await this.stat(prefix).catch(() => undefined);
      if (meta === undefined || meta.entryType === "directory") continue;
      return dynamicKind(meta) === undefined ? undefined : prefix;
    }
    return undefined;
  }

  /** Writes whole content as the file's next version, or as a new file. */
  private storeContent(
    p: Staging,
    r: Resolution,
    base: FileWriteBase,
    content: Uint8Array,
  ): MaybePromise<NodeMetadata> {
    // Keys added after a spread would give every object its own hidden class in V8.
    const size = content.length;
    const sha256 = sha256Hex(content);
    if (r.entry) {
      return p.storeNode(r.entry.nodeId, r.entry.partId, { content, size, sha256, ...base });
    }
    return this.createNode(p, r, { isNew: true, content, size, sha256, ...base });
  }

  private createNode(
    p: Staging,
    r: Resolution,
    write: NewNodeWrite,
    source?: AsyncIterable<Uint8Array>,
  ): MaybePromise<NodeMetadata> {
    validateName(r.name);
    const dir = r.parent[r.parent.length - 1] as DirEntry;
    const nodeId = newNodeId();
    const partId = write.entryType === "directory" ? nodeId : dir.nodeId;
    const stored = source
      ? p.storeNodeFrom(nodeId, partId, write, source)
      : p.storeNode(nodeId, partId, write as NodeWrite);
    return andThen(stored, (meta) =>
      andThen(
        p.updateDirectoryEntry(dir.nodeId, r.name, {
          kind: "insert",
          child: { nodeId, partId, entryType: write.entryType },
        }),
        () => meta,
      ),
    );
  }

  private async makeDirectory(p: Staging, path: string): Promise<DirChain> {
    const parsed = parsePath(path);
    if (parsed.endsInDots) throw new PondError("EINVAL", "cannot create . or ..");
    // The new name itself is never followed: with a trailing slash too, an
    // existing file or symlink (even a dangling one) is EEXIST, as in mkdir(2).
    const bare = parsed.trailingSlash ? path.replace(/\/+$/, "") || "/" : path;
    const r = await settle(() => this.resolve(p, bare, NO_FOLLOW)).catch((error: unknown) => {
      throw PondError.is(error) ? error.withPath(path) : error;
    });
    if (r.entry) throw new PondError("EEXIST", "already exists");
    const meta = await this.createNode(p, r, DIRECTORY_WRITE);
    return [
      ...r.parent,
      { name: r.name, nodeId: meta.nodeId, partId: meta.nodeId, entryType: "directory" },
    ];
  }

  private async makeDirectories(p: Staging, path: string): Promise<DirChain> {
    const parsed = parsePath(path);
    let chain: DirChain = parsed.absolute ? this.chain.slice(0, 1) : this.chain;
    for (const [i, name] of parsed.components.entries()) {
      const r = await settle(() => resolvePath(p, chain, name, FOLLOW)).catch((error: unknown) => {
        throw PondError.is(error) ? error.withPath(path) : error;
      });
      if (r.entry?.entryType === "directory") {
        chain = [...r.parent, r.entry];
        continue;
      }
      // A symlink followed to a missing target (even one of the same name) is in the way.
      const followed = r.parent[r.parent.length - 1]?.nodeId !== chain[chain.length - 1]?.nodeId;
      if (r.entry || r.name !== name || followed) {
        const last = i === parsed.components.length - 1;
        throw new PondError(
          last ? "EEXIST" : "ENOTDIR",
          last ? "already exists" : "not a directory",
        );
      }
      const meta = await this.createNode(p, r, DIRECTORY_WRITE);
      chain = [
        ...r.parent,
        { name, nodeId: meta.nodeId, partId: meta.nodeId, entryType: "directory" },
      ];
    }
    return chain;
  }

  private read<T>(path: string, fn: (p: Staging) => MaybePromise<T>): Promise<T> {
    return reportingAt(path, () => this.fs.read(fn));
  }

  private write<T>(verb: string, path: string, fn: (p: Staging) => MaybePromise<T>): Promise<T> {
    const where =
      typeof path === "string" && path.startsWith("/") ? path : joinPath(this.path, String(path));
    return reportingAt(path, () => this.fs.write(`${verb} ${where}`, fn)).catch(
      async (error: unknown) => {
        // Only a failed write pays for finding out whether it was aimed inside a dynamic node.
        if (!PondError.is(error, "ENOTDIR") || (await this.dynamicAncestor(path)) === undefined) {
          throw error;
        }
        throw readOnlyDynamic().withPath(path);
      },
    );
  }
}

/** A walk's entry; its paths are made when asked for, as most walks ask for few. */
class WalkStep implements WalkEntry {
  metadata?: NodeMetadata;

  constructor(
    private readonly at: Trail,
    readonly entry: DirEntry,
    readonly parentId: NodeId,
  ) {}

  get path(): string {
    return String(this.at);
  }

  get relative(): string {
    return this.at.relative();
  }
}

function existing(r: Resolution, path: string): DirEntry {
  if (!r.entry) throw new PondError("ENOENT", "no such file or directory", { path });
  return r.entry;
}

function readOnlyDynamic(): PondError {
  return new PondError("EROFS", "a dynamic node's content is computed: it cannot be written");
}

function checkVersion(version: number | undefined): void {
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    throw new PondError("EINVAL", `invalid version ${version}`);
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new PondError("EINVAL", "data must be a Uint8Array or a string");
}

/** A WD method's outcome as a promise, every failure a PondError about the caller's path. */
function reportingAt<T>(path: string, fn: () => MaybePromise<T>): Promise<T> {
  try {
    const result = fn();
    if (!(result instanceof Promise)) return Promise.resolve(result);
    return result.catch((error: unknown) => {
      throw asPondError(error, path);
    });
  } catch (error) {
    return Promise.reject(asPondError(error, path));
  }
}

/** Every failure leaves a WD method as a PondError about the caller's path. */
function asPondError(error: unknown, path: string): PondError {
  if (PondError.is(error)) {
    if (error.path === undefined) return error.withPath(path);
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PondError("EIO", message, { path, cause: error });
}
