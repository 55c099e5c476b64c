// pond ls: list a directory, a file, or the matches of a glob pattern.

import type { EntryType, WD } from "@pond/tinyfs";
import { type Command, flagOption, stringOption } from "../command.js";
import {
  describeEntry,
  entryJson,
  type ListedEntry,
  type NamedEntry,
  renderListing,
  renderNames,
} from "../entry-listing.js";
import { write, writeLines } from "../io.js";
import { parseAt } from "../option-values.js";
import { toJson } from "../output/json.js";
import { absolute, pondJoin } from "../pond-paths.js";
import { readPond } from "../pond-session.js";

export const ls: Command = {
  name: "ls",
  summary: "list directories, files, or glob matches",
  usage: "pond ls [-l] [--at V] [PATTERN]",
  description: [
    "Without PATTERN, lists the root directory. A directory path lists its entries;",
    "a file or symlink path lists itself. A pattern with * or ** lists its matches:",
    "'*' matches within one name, '**' any number of directories ('**' alone is",
    "everything). Quote patterns so the shell leaves them alone. Directories are",
    "shown with a trailing /, symlinks (with -l) as 'name -> target'.",
  ],
  options: {
    long: {
      type: "boolean",
      short: "l",
      description: "show type, size, version, time and node id",
    },
    at: {
      type: "string",
      value: "V",
      description: "list the pond as of version V, or as of a time (ISO 8601)",
    },
  },
  operands: { min: 0, max: 1 },
  json: true,
  examples: [
    { command: "pond ls", explanation: "lists the root directory" },
    { command: "pond ls -l /sensors", explanation: "lists /sensors with details" },
    { command: "pond ls -l '**'", explanation: "lists everything in the pond" },
    { command: "pond ls '/data/*.csv'", explanation: "lists the CSV files in /data" },
    { command: "pond ls --at 2 --json /", explanation: "the root as of version 2, as JSON" },
  ],
  async run(context, input) {
    const at = parseAt(stringOption(input, "at"), "ls");
    const [pattern] = input.operands;
    if (context.json || flagOption(input, "long")) {
      const entries = await readPond(context, at, (fs) => list(fs.root(), pattern, detailed));
      if (context.json) await write(context.io.stdout, toJson(entries.map(entryJson)));
      else await writeLines(context.io.stdout, renderListing(entries));
    } else {
      const entries = await readPond(context, at, (fs) => list(fs.root(), pattern, named));
      await writeLines(context.io.stdout, renderNames(entries));
    }
  },
};

/** Describes one listed entry, whose type its directory gave. */
type Describe<T extends NamedEntry> = (
  root: WD,
  path: string,
  shown: string,
  type: EntryType,
) => Promise<T>;

/** Names and types only: what the directories hold, without a lookup per entry. */
export const named: Describe<NamedEntry> = async (_root, path, shown, type) => ({
  path: absolute(path),
  shown,
  type,
});

/** Every detail: the metadata of each entry's newest version. */
export const detailed: Describe<ListedEntry> = (root, path, shown) =>
  describeEntry(root, path, shown);

/** The entries `pattern` names: see the command's description. */
export async function list<T extends NamedEntry>(
  root: WD,
  pattern: string | undefined,
  describe: Describe<T>,
): Promise<T[]> {
  if (pattern === undefined) return listDirectory(root, "/", describe);
  if (pattern.includes("*")) {
    const entries: T[] = [];
    for await (const match of root.glob(pattern)) {
      entries.push(await describe(root, match.path, absolute(match.path), match.entry.entryType));
    }
    return entries;
  }
  if (await namesDirectory(root, pattern)) return listDirectory(root, pattern, describe);
  return [await describe(root, pattern, pattern, (await root.lstat(pattern)).entryType)];
}

/** A directory, or a symlink to one; a dangling symlink is listed as itself. */
async function namesDirectory(root: WD, path: string): Promise<boolean> {
  const own = await root.lstat(path);
  if (own.entryType !== "symlink") return own.entryType === "directory";
  const target = await root.stat(path).catch(() => undefined);
  return target?.entryType === "directory";
}

async function listDirectory<T extends NamedEntry>(
  root: WD,
  dir: string,
  describe: Describe<T>,
): Promise<T[]> {
  const entries: T[] = [];
  for (const entry of await root.readdir(dir)) {
    entries.push(await describe(root, pondJoin(dir, entry.name), entry.name, entry.entryType));
  }
  return entries;
}
