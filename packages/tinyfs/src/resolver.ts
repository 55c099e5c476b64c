// Path resolution: walks components through directories and symlinks, detecting loops.

import { PondError } from "./errors.js";
import type { DirEntry } from "./node.js";
import { type NodeId, ROOT_ID } from "./node-id.js";
import { parsePath } from "./path.js";
import type { PersistenceLayer } from "./persistence.js";

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

export async function readSymlinkTarget(
  persistence: PersistenceLayer,
  link: DirEntry,
): Promise<string> {
  return decoder.decode(await persistence.readContent(link.nodeId, link.partId));
}

/**
 * Resolves `path` from the directory `start`. Symlinks in intermediate
 * components are always followed. A symlink whose expansion is still in
 * progress when it is met again (the busy set) is a cycle: ELOOP, as is a
 * chain of more than {@link MAX_SYMLINK_HOPS} links.
 */
export async function resolvePath(
  persistence: PersistenceLayer,
  start: DirChain,
  path: string,
  options: ResolveOptions,
): Promise<Resolution> {
  try {
    return await walk(persistence, start, path, options);
  } catch (error) {
    throw PondError.is(error) ? error.withPath(path) : error;
  }
}

async function walk(
  persistence: PersistenceLayer,
  start: DirChain,
  path: string,
  options: ResolveOptions,
): Promise<Resolution> {
  const parsed = parsePath(path);
  const followFinal = options.followFinal || parsed.trailingSlash;
  const chain: DirEntry[] = parsed.absolute ? [ROOT_ENTRY] : start.slice();
  const components = parsed.components;
  let next = 0;
  // Once a symlink is expanded, the components still to walk move to a stack (last one on
  // top) where a `{ release }` marks the end of a link's expansion.
  let stack: Array<string | { release: NodeId }> | undefined;
  let names = components.length;
  let busy: Set<NodeId> | undefined;
  let hops = 0;

  for (;;) {
    let component: string | { release: NodeId };
    if (stack) {
      if (stack.length === 0) break;
      component = stack.pop() as string | { release: NodeId };
    } else {
      if (next === components.length) break;
      component = components[next++] as string;
    }
    if (typeof component !== "string") {
      busy?.delete(component.release);
      continue;
    }
    const isLast = --names === 0;
    if (component === "..") {
      if (chain.length > 1) chain.pop();
      continue;
    }
    const dir = chain[chain.length - 1] as DirEntry;
    const found = persistence.lookupEntry(dir.nodeId, component);
    const entry = found instanceof Promise ? await found : found;
    if (!entry) {
      if (isLast) return { parent: chain, name: component, entry: undefined };
      throw new PondError("ENOENT", "no such file or directory", { path });
    }
    if (entry.entryType === "symlink" && (!isLast || followFinal)) {
      busy ??= new Set();
      if (busy.has(entry.nodeId) || ++hops > MAX_SYMLINK_HOPS) {
        throw new PondError("ELOOP", "too many levels of symbolic links", { path });
      }
      busy.add(entry.nodeId);
      const target = parsePath(await readSymlinkTarget(persistence, entry));
      if (target.absolute) chain.length = 1;
      stack ??= components.slice(next).reverse();
      stack.push({ release: entry.nodeId });
      for (let i = target.components.length - 1; i >= 0; i--) {
        stack.push(target.components[i] as string);
      }
      names += target.components.length;
      continue;
    }
    if (entry.entryType === "directory") {
      chain.push(entry);
      continue;
    }
    if (!isLast || parsed.trailingSlash) {
      throw new PondError("ENOTDIR", "not a directory", { path });
    }
    return { parent: chain, name: component, entry };
  }
  const top = chain[chain.length - 1] as DirEntry;
  return { parent: chain.slice(0, -1), name: top.name, entry: top };
}
