// Glob matching: literal, `*` (captured) and `**` components over a directory tree.

import { PondError } from "./errors.js";
import type { DirEntry } from "./node.js";
import type { NodeId } from "./node-id.js";
import { parsePath } from "./path.js";
import type { PersistenceLayer } from "./persistence.js";
import { type DirChain, resolvePath } from "./resolver.js";
import type { GlobMatch } from "./wd.js";

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

/** Every match of `pattern` from `start`, depth-first in name order, without duplicates. */
export async function globMatches(
  persistence: PersistenceLayer,
  start: DirChain,
  pattern: string,
): Promise<GlobMatch[]> {
  const { absolute, components } = compilePattern(pattern);
  const matches: GlobMatch[] = [];
  const seen = new Set<string>();
  const chainStart = absolute ? start.slice(0, 1) : start;

  const emit = (path: string, entry: DirEntry, captures: string[]) => {
    if (seen.has(path)) return;
    seen.add(path);
    matches.push({ path, entry, captures });
  };

  const join = (prefix: string, name: string) =>
    prefix === "" ? name : prefix === "/" ? `/${name}` : `${prefix}/${name}`;

  // The directory an entry leads to (following symlinks), or undefined.
  const enter = async (chain: DirChain, entry: DirEntry): Promise<DirChain | undefined> => {
    if (entry.entryType === "directory") return [...chain, entry];
    if (entry.entryType !== "symlink") return undefined;
    try {
      const r = await resolvePath(persistence, chain, entry.name, { followFinal: true });
      return r.entry?.entryType === "directory" ? [...r.parent, r.entry] : undefined;
    } catch (error) {
      if (PondError.is(error, "ENOENT") || PondError.is(error, "ENOTDIR")) return undefined;
      // Report the pattern the caller passed, not the link's name.
      throw PondError.is(error) ? error.withPath(pattern) : error;
    }
  };

  // Descending through `**` into a directory already on the way down is a cycle.
  const descend = (sub: DirChain, visiting: ReadonlySet<NodeId>, path: string) => {
    const id = (sub[sub.length - 1] as DirEntry).nodeId;
    if (visiting.has(id)) {
      throw new PondError("ELOOP", `symlink cycle at ${path}`, { path: pattern });
    }
    return new Set(visiting).add(id);
  };

  const everything = async (
    chain: DirChain,
    prefix: string,
    captures: string[],
    visiting: ReadonlySet<NodeId>,
  ): Promise<void> => {
    const top = chain[chain.length - 1] as DirEntry;
    for (const entry of await persistence.loadDirectoryEntries(top.nodeId)) {
      const path = join(prefix, entry.name);
      emit(path, entry, captures);
      const sub = await enter(chain, entry);
      if (sub) await everything(sub, path, captures, descend(sub, visiting, path));
    }
  };

  const walk = async (
    chain: DirChain,
    index: number,
    prefix: string,
    captures: string[],
    visiting: ReadonlySet<NodeId>,
  ): Promise<void> => {
    const component = components[index];
    if (!component) return;
    const last = index === components.length - 1;
    const top = chain[chain.length - 1] as DirEntry;

    const matched = async (entry: DirEntry, path: string, caps: string[]) => {
      if (last) return emit(path, entry, caps);
      const sub = await enter(chain, entry);
      if (sub) await walk(sub, index + 1, path, caps, visiting);
    };

    switch (component.kind) {
      case "parent": {
        const up = chain.length > 1 ? chain.slice(0, -1) : chain;
        const path = join(prefix, "..");
        if (last) emit(path, up[up.length - 1] as DirEntry, captures);
        // Going up leaves the directories below behind: only `up`'s ancestors can close a cycle now.
        else await walk(up, index + 1, path, captures, new Set(up.map((d) => d.nodeId)));
        return;
      }
      case "literal": {
        const entry = await persistence.lookupEntry(top.nodeId, component.name);
        if (entry) await matched(entry, join(prefix, entry.name), captures);
        return;
      }
      case "wildcard": {
        for (const entry of await persistence.loadDirectoryEntries(top.nodeId)) {
          const m = component.regex.exec(entry.name);
          if (m) await matched(entry, join(prefix, entry.name), [...captures, ...m.slice(1)]);
        }
        return;
      }
      case "globstar": {
        if (last) return everything(chain, prefix, captures, visiting);
        await walk(chain, index + 1, prefix, captures, visiting);
        for (const entry of await persistence.loadDirectoryEntries(top.nodeId)) {
          const sub = await enter(chain, entry);
          if (!sub) continue;
          const path = join(prefix, entry.name);
          await walk(sub, index, path, captures, descend(sub, visiting, path));
        }
        return;
      }
    }
  };

  await walk(chainStart, 0, absolute ? "/" : "", [], new Set(chainStart.map((d) => d.nodeId)));
  return matches;
}
