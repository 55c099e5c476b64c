// pond ls: list a directory, a file, or the matches of a glob pattern.

import type { WD } from "@pond/tinyfs";
import { type Command, flagOption, stringOption } from "../command.js";
import { describeEntry, entryJson, type ListedEntry, renderListing } from "../entry-listing.js";
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
    const entries = await readPond(context, at, (fs) => list(fs.root(), pattern));
    if (context.json) {
      await write(context.io.stdout, toJson(entries.map(entryJson)));
    } else {
      await writeLines(context.io.stdout, renderListing(entries, flagOption(input, "long")));
    }
  },
};

/** The entries `pattern` names: see the command's description. */
export async function list(root: WD, pattern: string | undefined): Promise<ListedEntry[]> {
  if (pattern === undefined) return listDirectory(root, "/");
  if (pattern.includes("*")) {
    const entries: ListedEntry[] = [];
    for await (const match of root.glob(pattern)) {
      entries.push(await describeEntry(root, match.path, absolute(match.path)));
    }
    return entries;
  }
  if (await namesDirectory(root, pattern)) return listDirectory(root, pattern);
  return [await describeEntry(root, pattern)];
}

/** A directory, or a symlink to one; a dangling symlink is listed as itself. */
async function namesDirectory(root: WD, path: string): Promise<boolean> {
  const own = await root.lstat(path);
  if (own.entryType !== "symlink") return own.entryType === "directory";
  const target = await root.stat(path).catch(() => undefined);
  return target?.entryType === "directory";
}

async function listDirectory(root: WD, dir: string): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  for (const entry of await root.readdir(dir)) {
    const path = pondJoin(dir, entry.name);
    entries.push(await describeEntry(root, path, entry.name));
  }
  return entries;
}
