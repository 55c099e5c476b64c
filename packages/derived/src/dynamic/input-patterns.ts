// Inputs named by a glob with captures, and output names made from those captures.

import { dynamicKind, PondError, validateName, type WD } from "@pond/tinyfs";

export interface InputMatch {
  path: string;
  /** What each `*` matched. */
  captures: string[];
}

/**
 * The files `pattern` matches, in name order, symlinks followed. Directories, dangling links and
 * dynamic nodes are not inputs: a dynamic node reading another (or itself, through a link) could
 * recurse without end.
 */
export async function inputMatches(root: WD, pattern: string): Promise<InputMatch[]> {
  const matches: InputMatch[] = [];
  for await (const match of root.glob(pattern, { metadata: true })) {
    const meta =
      match.entry.entryType === "symlink"
        ? await root.stat(match.path).catch(() => undefined)
        : match.metadata;
    if (meta === undefined || meta.entryType === "directory") continue;
    if (dynamicKind(meta) !== undefined) continue;
    matches.push({ path: match.path, captures: match.captures });
  }
  return matches;
}

/** `pattern` with `$0`, `$1`... replaced by the captures, as names; EINVAL if one is not a name. */
export function outputNames(pattern: string, captures: readonly string[], input: string): string[] {
  const names = pattern.replace(/\$(\d+)/g, (_, n: string) => captures[Number(n)] ?? "").split("/");
  for (const name of names) {
    try {
      validateName(name);
    } catch {
      throw new PondError("EINVAL", `the output name "${name}" made for this input is not a name`, {
        path: input,
      });
    }
  }
  return names;
}

/** EINVAL when two inputs would make the same output. */
export function checkDistinct(outputs: readonly { names: readonly string[] }[]): void {
  const seen = new Set<string>();
  for (const output of outputs) {
    const key = output.names.join("/");
    if (seen.has(key)) {
      throw new PondError("EINVAL", `two inputs make the same output ${key}: use more captures`);
    }
    seen.add(key);
  }
}
