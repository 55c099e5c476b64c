// Glob over the model tree: the expected matches of a pattern, in the contract's order.

import {
  entryOf,
  type ModelChain,
  type ModelEntry,
  ModelError,
  type ModelId,
  type ModelWd,
  type PondModel,
  parseModelPath,
  sortedEntries,
} from "./model.js";

type Component =
  | { kind: "literal"; name: string }
  | { kind: "wildcard"; regex: RegExp }
  | { kind: "globstar" };

export interface ModelMatch {
  path: string;
  entry: ModelEntry;
  captures: string[];
}

function compile(pattern: string): { absolute: boolean; components: Component[] } {
  const parsed = parseModelPath(pattern);
  const components = parsed.components.map((part): Component => {
    if (part === "**") return { kind: "globstar" };
    if (part.includes("**") || part === "..") {
      // `..` in a pattern is outside what the property test generates; refuse rather than guess.
      if (part === "..") throw new Error("model: `..` in glob patterns is not modelled");
      throw new ModelError("EINVAL", pattern);
    }
    if (!part.includes("*")) return { kind: "literal", name: part };
    const source = part
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("(.*?)");
    return { kind: "wildcard", regex: new RegExp(`^${source}$`, "s") };
  });
  return { absolute: parsed.absolute, components };
}

/**
 * The matches of `pattern` from `wd`: depth-first, a directory's entries in
 * name order, `**` trying zero directories before descending, first match of
 * a path wins. Entering a directory already being walked by `**` is ELOOP.
 */
export function modelGlob(model: PondModel, wd: ModelWd, pattern: string): ModelMatch[] {
  const { absolute, components } = compile(pattern);
  const matches: ModelMatch[] = [];
  const seen = new Set<string>();
  const start = model.globStart(wd, absolute);

  const emit = (path: string, entry: ModelEntry, captures: string[]) => {
    if (seen.has(path)) return;
    seen.add(path);
    matches.push({ path, entry, captures });
  };
  const join = (prefix: string, name: string) =>
    prefix === "" ? name : prefix === "/" ? `/${name}` : `${prefix}/${name}`;
  const entries = (chain: ModelChain) =>
    sortedEntries((chain[chain.length - 1] as ModelChain[number]).dir);
  const descend = (sub: ModelChain, visiting: ReadonlySet<ModelId>) => {
    const id = (sub[sub.length - 1] as ModelChain[number]).dir.id;
    if (visiting.has(id)) throw new ModelError("ELOOP", pattern);
    return new Set(visiting).add(id);
  };

  const everything = (
    chain: ModelChain,
    prefix: string,
    captures: string[],
    visiting: ReadonlySet<ModelId>,
  ) => {
    for (const [name, node] of entries(chain)) {
      const path = join(prefix, name);
      emit(path, entryOf(name, node), captures);
      const sub = model.enter(chain, name, pattern);
      if (sub) everything(sub, path, captures, descend(sub, visiting));
    }
  };

  const walk = (
    chain: ModelChain,
    index: number,
    prefix: string,
    captures: string[],
    visiting: ReadonlySet<ModelId>,
  ): void => {
    const component = components[index];
    if (!component) return;
    const last = index === components.length - 1;
    const matched = (name: string, caps: string[]) => {
      const node = (chain[chain.length - 1] as ModelChain[number]).dir.entries.get(name);
      if (!node) return;
      const path = join(prefix, name);
      if (last) return emit(path, entryOf(name, node), caps);
      const sub = model.enter(chain, name, pattern);
      if (sub) walk(sub, index + 1, path, caps, visiting);
    };
    switch (component.kind) {
      case "literal":
        matched(component.name, captures);
        return;
      case "wildcard":
        for (const [name] of entries(chain)) {
          const m = component.regex.exec(name);
          if (m) matched(name, [...captures, ...m.slice(1)]);
        }
        return;
      case "globstar":
        if (last) {
          everything(chain, prefix, captures, visiting);
          return;
        }
        walk(chain, index + 1, prefix, captures, visiting);
        for (const [name] of entries(chain)) {
          const sub = model.enter(chain, name, pattern);
          if (sub) walk(sub, index, join(prefix, name), captures, descend(sub, visiting));
        }
        return;
    }
  };

  walk(start, 0, absolute ? "/" : "", [], new Set(start.map((c) => c.dir.id)));
  return matches;
}
