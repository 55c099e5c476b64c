// pond ls: list a directory, a file, or the matches of a glob pattern.

import type { DynamicNodes } from "@pond/derived";
import {
  type EntryType,
  type NodeMetadata,
  PondError,
  sha256Hex,
  validateName,
  type WD,
} from "@pond/tinyfs";
import { type Command, flagOption, stringOption } from "../command.js";
import { type DynamicReads, withDynamicReads } from "../dynamic-reads.js";
import {
  describeEntry,
  entryJson,
  type ListedEntry,
  type NamedEntry,
  renderListing,
  renderName,
} from "../entry-listing.js";
import { LineWriter, write, writeLines } from "../io.js";
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
    "shown with a trailing /, symlinks (with -l) as 'name -> target'. A name with",
    "control characters is shown quoted, as GNU ls shows it ('a'$'\\n''b').",
    "",
    "A dynamic node's path lists what it computes (a directory's entries, with -l",
    "their computed sizes); a pattern reaches into them too, e.g.",
    "'/views/*/station-*/res=1h.series'.",
    "",
    "An entry pond cannot read (a damaged pond's, a symlink loop) is reported on",
    "its own line and left out; the rest is listed and the exit status is 1.",
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
      description:
        "list the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
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
    // Reported as the listing shows paths: absolute.
    const skip = (error: unknown) =>
      context.skip(
        PondError.is(error) && error.path ? error.withPath(absolute(error.path)) : error,
      );
    if (context.json || flagOption(input, "long")) {
      const entries = await readPond(context, at, (fs) =>
        withDynamicReads(fs, (dynamic) => list(fs.root(), pattern, detailed, skip, dynamic)),
      );
      if (context.json) await write(context.io.stdout, toJson(entries.map(entryJson)));
      else await writeLines(context.io.stdout, renderListing(entries));
      return;
    }
    // Names need no widths from other rows: each is printed as it is found.
    const out = new LineWriter(context.io.stdout);
    await readPond(context, at, (fs) =>
      withDynamicReads(fs, (dynamic) =>
        eachEntry(fs.root(), pattern, named, skip, (entry) => out.line(renderName(entry)), dynamic),
      ),
    );
    await out.flush();
  },
};

/** Describes one listed entry, whose type its directory gave (and its metadata, a glob's). */
type Describe<T extends NamedEntry> = (
  root: WD,
  path: string,
  shown: string,
  type: EntryType,
  meta?: NodeMetadata,
) => Promise<T>;

/** Names and types only: what the directories hold, without a lookup per entry. */
export const named: Describe<NamedEntry> = async (_root, path, shown, type) => ({
  path: absolute(path),
  shown,
  type,
});

/** Every detail: the metadata of each entry's newest version. */
export const detailed: Describe<ListedEntry> = (root, path, shown, _type, meta) =>
  describeEntry(root, path, shown, meta);

/** What a listing does with an entry it cannot show: report it and go on, or fail. */
export type Skip = (error: unknown) => void;

const fail: Skip = (error) => {
  throw error;
};

/** The entries `pattern` names (see the command's description), in order. */
export async function list<T extends NamedEntry>(
  root: WD,
  pattern: string | undefined,
  describe: Describe<T>,
  skip: Skip = fail,
  dynamic?: DynamicReads,
): Promise<T[]> {
  const entries: T[] = [];
  await eachEntry(
    root,
    pattern,
    describe,
    skip,
    async (entry) => {
      entries.push(entry);
    },
    dynamic,
  );
  return entries;
}

/**
 * Hands each entry `pattern` names to `visit` as it is found; an entry that cannot be read (a
 * damaged pond's) goes to `skip` instead, and the listing goes on.
 */
async function eachEntry<T extends NamedEntry>(
  root: WD,
  pattern: string | undefined,
  describe: Describe<T>,
  skip: Skip,
  visit: (entry: T) => Promise<void>,
  dynamic?: DynamicReads,
): Promise<void> {
  const each = async (path: string, shown: string, type: EntryType, meta?: NodeMetadata) => {
    let entry: T;
    try {
      entry = await describe(root, path, shown, type, meta);
    } catch (error) {
      if (!PondError.is(error)) throw error;
      skip(error);
      return;
    }
    await visit(entry);
  };
  if (pattern?.includes("*")) {
    // Details come with each match: looking each one up by path would cost its depth again.
    const metadata = describe === (detailed as Describe<NamedEntry>);
    const options = { onError: skip, metadata, ...(dynamic && { dynamic }) };
    for await (const match of root.glob(pattern, options)) {
      const path = absolute(match.path);
      if (match.dynamicNode !== undefined && metadata && dynamic !== undefined) {
        // Computed by a dynamic node the pattern reached into: its details are computed too.
        let entry: NamedEntry | ListedEntry;
        try {
          entry = await describeComputed(await dynamic.nodes(), path, path, true);
        } catch (error) {
          if (!PondError.is(error)) throw error;
          skip(error);
          continue;
        }
        await visit(entry as T);
        continue;
      }
      await each(path, path, match.entry.entryType, match.metadata);
    }
    return;
  }
  if (pattern !== undefined && dynamic !== undefined && (await dynamic.holds(pattern))) {
    await eachComputed(
      await dynamic.nodes(),
      pattern,
      describe === (detailed as Describe<NamedEntry>),
      (entry) => visit(entry as T),
    );
    return;
  }
  if (pattern !== undefined && !(await namesDirectory(root, pattern))) {
    await each(pattern, pattern, (await root.lstat(pattern)).entryType);
    return;
  }
  const dir = pattern ?? "/";
  for (const entry of await root.readdir(dir)) {
    const path = pondJoin(dir, entry.name);
    if (invalidName(entry.name)) {
      skip(new PondError("CORRUPT", "a directory entry has an invalid name", { path }));
      continue;
    }
    await each(path, entry.name, entry.entryType);
  }
}

/** What a dynamic node's path lists: a computed directory's entries, or a computed file itself. */
async function eachComputed(
  nodes: DynamicNodes,
  path: string,
  details: boolean,
  visit: (entry: NamedEntry | ListedEntry) => Promise<void>,
): Promise<void> {
  const describe = (at: string, shown: string) => describeComputed(nodes, at, shown, details);
  const top = details ? await nodes.stat(path) : undefined;
  const isDirectory = top
    ? top.entryType === "directory"
    : await nodes.readdir(path).then(
        () => true,
        (error: unknown) => {
          if (PondError.is(error, "ENOTDIR")) return false;
          throw error;
        },
      );
  if (!isDirectory) {
    await visit(await describe(path, path));
    return;
  }
  for (const entry of await nodes.readdir(path)) {
    const at = pondJoin(path, entry.name);
    if (!details) {
      await visit({ path: absolute(at), shown: entry.name, type: entry.entryType });
      continue;
    }
    await visit(await describe(at, entry.name));
  }
}

/** A computed file or directory as a listing shows it. */
async function describeComputed(
  nodes: DynamicNodes,
  at: string,
  shown: string,
  details: boolean,
): Promise<NamedEntry | ListedEntry> {
  const computed = await nodes.stat(at);
  const named = { path: absolute(at), shown, type: computed.entryType };
  if (!details) return named;
  const { nodeMeta } = computed;
  return {
    ...named,
    nodeId: nodeMeta.nodeId,
    version: nodeMeta.version,
    timestamp: nodeMeta.timestamp,
    ...(computed.entryType === "directory" ? { entries: computed.size } : { size: computed.size }),
    ...(computed.file && { sha256: sha256Hex(computed.file.bytes) }),
  };
}

function invalidName(name: string): boolean {
  try {
    validateName(name);
    return false;
  } catch {
    return true;
  }
}

/** A directory, or a symlink to one; a dangling symlink is listed as itself. */
async function namesDirectory(root: WD, path: string): Promise<boolean> {
  const own = await root.lstat(path);
  if (own.entryType !== "symlink") return own.entryType === "directory";
  const target = await root.stat(path).catch(() => undefined);
  return target?.entryType === "directory";
}
