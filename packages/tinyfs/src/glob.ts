// Glob matching: literal, `*` (captured) and `**` components over a directory tree.

import { dynamicKind } from "./dynamic-node.js";
import { PondError } from "./errors.js";
import { type DirEntry, isFileType, type NodeMetadata } from "./node.js";
import type { NodeId } from "./node-id.js";
import { parsePath } from "./path.js";
import type { DirChain } from "./resolver.js";
import { Trail, type TreeReader, TreeWalker } from "./tree-walk.js";
import type { GlobMatch, GlobOptions } from "./wd.js";

type Component =
  | { kind: "parent" }
  | { kind: "literal"; name: string }
  | { kind: "wildcard"; regex: RegExp }
  | { kind: "globstar" };

export function compilePattern(pattern: string): { absolute: boolean; components: Component[] } {
  const parsed = parsePath(pattern);
  const components = parsed.components.map((part): Component => {
    if (part === "..") return { kind: "parent" };
    if (part === "**") return { kind: "globstar" };
    if (part.includes("**")) {
      throw new PondError("EINVAL", "`**` must be a whole path component", { path: pattern });
    }
    if (!part.includes("*")) return { kind: "literal", name: part };
    const source = part
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("([^]*?)");
    return { kind: "wildcard", regex: new RegExp(`^${source}$`) };
  });
  return { absolute: parsed.absolute, components };
}

/**
 * Hands every match of `pattern` from `start` to `emit`, depth-first in name order, without
 * duplicates. With `onError`, what cannot be walked is reported there and skipped (see
 * {@link TreeWalker}); without it, it ends the glob as an error naming the pattern.
 */
export async function globMatches(
  reader: TreeReader,
  start: DirChain,
  pattern: string,
  emit: (match: GlobMatch) => Promise<void>,
  { onError, metadata, dynamic }: GlobOptions = {},
): Promise<void> {
  const { absolute, components } = compilePattern(pattern);
  const walker = new TreeWalker(reader, onError, pattern);
  const chainStart = absolute ? start.slice(0, 1) : start.slice();
  walker.start(chainStart);
  // Only a second `**` or a `..` can reach one path twice; otherwise no path needs remembering.
  const globstars = components.filter((c) => c.kind === "globstar").length;
  const dedupe = globstars > 1 || components.some((c) => c.kind === "parent");
  const seen = dedupe ? new Set<string>() : undefined;

  const found = async (at: Trail, entry: DirEntry, captures: string[]): Promise<void> => {
    const path = String(at);
    if (seen) {
      if (seen.has(path)) return;
      seen.add(path);
    }
    if (!metadata) return emit({ path, entry, captures });
    let meta: NodeMetadata;
    try {
      meta = await walker.metadata(entry);
    } catch (error) {
      walker.fail(error, at);
      return;
    }
    await emit({ path, entry, captures, metadata: meta });
  };

  /** Matches components from `index` on against what the dynamic `node` computes below `at`. */
  const computed = async (
    node: DirEntry,
    nodePath: string,
    at: Trail,
    index: number,
    captures: string[],
  ): Promise<void> => {
    const component = components[index];
    if (!component || !dynamic || component.kind === "parent") return;
    const last = index === components.length - 1;
    let entries: readonly { name: string; entryType: DirEntry["entryType"] }[];
    try {
      entries = await dynamic.readdir(walker.absolute(at));
    } catch (error) {
      if (!PondError.is(error, "ENOTDIR")) walker.fail(error, at);
      return;
    }
    const emitComputed = async (
      here: Trail,
      name: string,
      type: DirEntry["entryType"],
      caps: string[],
    ) => {
      const path = String(here);
      if (seen) {
        if (seen.has(path)) return;
        seen.add(path);
      }
      const entry = { name, entryType: type, nodeId: node.nodeId, partId: node.partId };
      await emit({ path, entry, captures: caps, dynamicNode: nodePath });
    };
    const everything = async (dir: Trail, below: typeof entries): Promise<void> => {
      for (const e of below) {
        const here = dir.child(e.name);
        await emitComputed(here, e.name, e.entryType, captures);
        if (e.entryType !== "directory") continue;
        let inner: typeof entries;
        try {
          inner = await dynamic.readdir(walker.absolute(here));
        } catch (error) {
          walker.fail(error, here);
          continue;
        }
        await everything(here, inner);
      }
    };
    if (component.kind === "globstar") {
      if (last) {
        await everything(at, entries);
        return;
      }
      await computed(node, nodePath, at, index + 1, captures);
      for (const e of entries) {
        if (e.entryType === "directory") {
          await computed(node, nodePath, at.child(e.name), index, captures);
        }
      }
      return;
    }
    for (const e of entries) {
      let caps = captures;
      if (component.kind === "literal") {
        if (e.name !== component.name) continue;
      } else {
        const m = component.regex.exec(e.name);
        if (!m) continue;
        caps = [...captures, ...m.slice(1)];
      }
      const here = at.child(e.name);
      if (last) await emitComputed(here, e.name, e.entryType, caps);
      else if (e.entryType === "directory") await computed(node, nodePath, here, index + 1, caps);
    }
  };

  /** A file met where the pattern goes on: a dynamic node to reach into, else nothing. */
  const through = async (entry: DirEntry, at: Trail, index: number, captures: string[]) => {
    if (!dynamic || !isFileType(entry.entryType)) return;
    let meta: NodeMetadata;
    try {
      meta = await walker.metadata(entry);
    } catch (error) {
      walker.fail(error, at);
      return;
    }
    if (dynamicKind(meta) === undefined) return;
    await computed(entry, walker.absolute(at), at, index, captures);
  };

  const walk = async (
    chain: DirEntry[],
    index: number,
    at: Trail,
    captures: string[],
    visiting: Set<NodeId>,
  ): Promise<void> => {
    const component = components[index];
    if (!component) return;
    const last = index === components.length - 1;
    const top = chain[chain.length - 1] as DirEntry;

    const matched = async (entry: DirEntry, caps: string[]) => {
      const here = at.child(entry.name);
      if (last) {
        if (entry.entryType === "directory" && !walker.placed(top.nodeId, entry, here)) return;
        await found(here, entry, caps);
        return;
      }
      if (isFileType(entry.entryType)) {
        await through(entry, here, index + 1, caps);
        return;
      }
      await walker.descend(chain, entry, here, undefined, (inner) =>
        walk(inner, index + 1, here, caps, visiting),
      );
    };

    switch (component.kind) {
      case "parent": {
        const up = chain.length > 1 ? chain.slice(0, -1) : chain.slice();
        const here = at.child("..");
        if (last) await found(here, up[up.length - 1] as DirEntry, captures);
        // Going up leaves the directories below behind: only `up`'s ancestors can close a cycle now.
        else await walk(up, index + 1, here, captures, new Set(up.map((d) => d.nodeId)));
        return;
      }
      case "literal": {
        let entry: DirEntry | undefined;
        try {
          entry = await reader.lookupEntry(top.nodeId, component.name);
        } catch (error) {
          walker.fail(error, at);
          return;
        }
        if (entry) await matched(entry, captures);
        return;
      }
      case "wildcard": {
        for (const entry of await walker.entries(top, at)) {
          const m = component.regex.exec(entry.name);
          if (m) await matched(entry, [...captures, ...m.slice(1)]);
        }
        return;
      }
      case "globstar": {
        if (last) {
          await walker.below(chain, at, true, visiting, async (here, entry) => {
            await found(here, entry, captures);
            return true;
          });
          return;
        }
        await walk(chain, index + 1, at, captures, visiting);
        for (const entry of await walker.entries(top, at)) {
          const here = at.child(entry.name);
          if (isFileType(entry.entryType)) {
            await through(entry, here, index, captures);
            continue;
          }
          await walker.descend(chain, entry, here, visiting, (inner) =>
            walk(inner, index, here, captures, visiting),
          );
        }
        return;
      }
    }
  };

  const begin = Trail.start(absolute ? "/" : "");
  await walk(chainStart, 0, begin, [], new Set(chainStart.map((d) => d.nodeId)));
}
