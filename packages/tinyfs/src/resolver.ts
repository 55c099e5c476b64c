// Path resolution: walks components through directories and symlinks, detecting loops.

import { PondError } from "./errors.js";
import { andThen, type MaybePromise } from "./maybe-promise.js";
import type { DirEntry } from "./node.js";
import { type NodeId, ROOT_ID } from "./node-id.js";
import { type ParsedPath, parsePath } from "./path.js";
import type { Staging } from "./staging/staging.js";

export const ROOT_ENTRY: DirEntry = Object.freeze({
  name: "",
  nodeId: ROOT_ID,
  partId: ROOT_ID,
  entryType: "directory",
});

/** The directories from the root down to one directory: its physical path. */
export type DirChain = readonly DirEntry[];

export const MAX_SYMLINK_HOPS = 32;

export interface Resolution {
  /** The directory that holds (or would hold) the final name. */
  parent: DirChain;
  /** The final name ("" for the root). */
  name: string;
  /** What the final name is bound to, if anything. */
  entry: DirEntry | undefined;
}

export interface ResolveOptions {
  /** Follow a symlink in the final component (a trailing `/` always does). */
  followFinal: boolean;
}

const decoder = new TextDecoder();

export function chainPath(chain: DirChain): string {
  if (chain.length <= 1) return "/";
  let path = "";
  for (let i = 1; i < chain.length; i++) path += `/${(chain[i] as DirEntry).name}`;
  return path;
}

/** The reads path resolution makes. */
export type PathReader = Pick<Staging, "lookupEntry" | "readContent">;

export function readSymlinkTarget(reader: PathReader, link: DirEntry): MaybePromise<string> {
  return andThen(reader.readContent(link.nodeId, link.partId), (bytes) => decoder.decode(bytes));
}

/**
 * Resolves `path` from the directory `start`. Symlinks in intermediate
 * components are always followed. A symlink whose expansion is still in
 * progress when it is met again (the busy set) is a cycle: ELOOP, as is a
 * chain of more than {@link MAX_SYMLINK_HOPS} links. Synchronous while the
 * backend answers synchronously; may throw. `parsed` is `path` already parsed.
 */
export function resolvePath(
  reader: PathReader,
  start: DirChain,
  path: string,
  options: ResolveOptions,
  parsed?: ParsedPath,
): MaybePromise<Resolution> {
  try {
    const walk = new Walk(reader, start, path, parsed ?? parsePath(path), options);
    const resolution = walk.run();
    if (!(resolution instanceof Promise)) return resolution;
    return resolution.catch((error: unknown) => reportAt(path, error));
  } catch (error) {
    return reportAt(path, error);
  }
}

function reportAt(path: string, error: unknown): never {
  throw PondError.is(error) ? error.withPath(path) : error;
}

/** One resolution in progress; it can pause on a backend's promise and resume. */
class Walk {
  private readonly chain: DirEntry[];
  private readonly components: string[];
  private readonly followFinal: boolean;
  private readonly trailingSlash: boolean;
  private next = 0;
  // Once a symlink is expanded, the components still to walk move to a stack (last one on
  // top) where a `{ release }` marks the end of a link's expansion.
  private stack: Array<string | { release: NodeId }> | undefined;
  private names: number;
  private busy: Set<NodeId> | undefined;
  private hops = 0;

  constructor(
    private readonly reader: PathReader,
    start: DirChain,
    private readonly path: string,
    parsed: ParsedPath,
    options: ResolveOptions,
  ) {
    this.followFinal = options.followFinal || parsed.trailingSlash;
    this.trailingSlash = parsed.trailingSlash;
    this.chain = parsed.absolute ? [ROOT_ENTRY] : start.slice();
    this.components = parsed.components;
    this.names = parsed.components.length;
  }

  run(): MaybePromise<Resolution> {
    const chain = this.chain;
    for (;;) {
      const component = this.take();
      if (component === undefined) break;
      if (typeof component !== "string") {
        this.busy?.delete(component.release);
        continue;
      }
      const isLast = --this.names === 0;
      if (component === "..") {
        if (chain.length > 1) chain.pop();
        continue;
      }
      const dir = chain[chain.length - 1] as DirEntry;
      const found = this.reader.lookupEntry(dir.nodeId, component);
      const step =
        found instanceof Promise
          ? found.then((entry) => this.visit(component, isLast, entry))
          : this.visit(component, isLast, found);
      if (step instanceof Promise) return step.then((done) => done ?? this.run());
      if (step) return step;
    }
    const top = chain[chain.length - 1] as DirEntry;
    return { parent: chain.slice(0, -1), name: top.name, entry: top };
  }

  private take(): string | { release: NodeId } | undefined {
    if (this.stack) return this.stack.pop();
    return this.next === this.components.length ? undefined : this.components[this.next++];
  }

  /** Acts on what `name` is bound to: the resolution when it ends here, else undefined. */
  private visit(
    name: string,
    isLast: boolean,
    entry: DirEntry | undefined,
  ): MaybePromise<Resolution | undefined> {
    const path = this.path;
    if (!entry) {
      if (isLast) return { parent: this.chain, name, entry: undefined };
      throw new PondError("ENOENT", "no such file or directory", { path });
    }
    if (entry.entryType === "symlink" && (!isLast || this.followFinal)) {
      this.busy ??= new Set();
      if (this.busy.has(entry.nodeId) || ++this.hops > MAX_SYMLINK_HOPS) {
        throw new PondError("ELOOP", "too many levels of symbolic links", { path });
      }
      this.busy.add(entry.nodeId);
      return andThen(readSymlinkTarget(this.reader, entry), (target) => {
        this.expand(entry.nodeId, parsePath(target));
        return undefined;
      });
    }
    if (entry.entryType === "directory") {
      this.chain.push(entry);
      return undefined;
    }
    if (!isLast || this.trailingSlash) {
      throw new PondError("ENOTDIR", "not a directory", { path });
    }
    return { parent: this.chain, name, entry };
  }

  /** Puts a symlink's target in place of the link, to walk next. */
  private expand(link: NodeId, target: ParsedPath): void {
    if (target.absolute) this.chain.length = 1;
    this.stack ??= this.components.slice(this.next).reverse();
    this.stack.push({ release: link });
    for (let i = target.components.length - 1; i >= 0; i--) {
      this.stack.push(target.components[i] as string);
    }
    this.names += target.components.length;
  }
}
