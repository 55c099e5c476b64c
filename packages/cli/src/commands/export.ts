// pond export: copy pond files and directories out to the host.

import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { DynamicNodes } from "@pond/derived";
import {
  dynamicKind,
  type FS,
  type NodeMetadata,
  PondError,
  parsePath,
  type WalkEntry,
  type WD,
} from "@pond/tinyfs";
import { type Command, type CommandContext, flagOption, stringOption } from "../command.js";
import { type CopySource, copyTargets, type DestinationKind } from "../copy-destination.js";
import { type DynamicReads, withDynamicReads } from "../dynamic-reads.js";
import { HostError, hostError, onHost } from "../errors.js";
import { hostPathBelow } from "../host/confined-path.js";
import { HostTransaction, WHOLE_FILE_BYTES } from "../host/host-transaction.js";
import { catchInterrupts, type Interrupts } from "../interrupts.js";
import { write, writeLines } from "../io.js";
import { parseAt } from "../option-values.js";
import { toJson } from "../output/json.js";
import { breather, startProgress } from "../output/progress.js";
import { quoteName } from "../output/quote.js";
import { formatBytes, plural } from "../output/units.js";
import { concatParquet } from "../parquet.js";
import { absolute, pondBasename, pondJoin } from "../pond-paths.js";
import { readPond } from "../pond-session.js";

/** One file or directory to write on the host. */
interface ExportItem {
  pondPath: string;
  /** Below the source ("" for the source itself), `/`-separated. */
  relative: string;
  kind: "file" | "directory";
  series: boolean;
  size: number;
  /** A dynamic node's file: its content, computed while planning. */
  computed?: Uint8Array;
}

interface ExportSource extends CopySource {
  argument: string;
  items: ExportItem[];
}

export const exportCommand: Command = {
  name: "export",
  summary: "copy pond files and directories out to the host",
  usage: "pond export [-r] [--at V] PONDPATH... HOSTPATH",
  description: [
    "Copies pond files to the host, following cp's rules (one source onto a missing",
    "name creates it, onto an existing directory goes inside it, several sources",
    "need a directory; -r for pond directories). Symlinks in the pond are followed.",
    "A file:series is written as one Parquet file holding every version's rows.",
    "A dynamic node is exported as what it computes: its files and directories.",
    "A PONDPATH with * is a pattern (reaching into dynamic nodes too): each match",
    "is written at its path below the pattern's fixed directory, e.g. the matches",
    "of '/views/*/s-*/res=1h.series' as weather/s-north/res=1h.series, ...",
    "",
    "Nothing is half-written: files are written under temporary names and renamed",
    "into place only when all of them are written; on failure, or when interrupted",
    "(Ctrl-C, SIGTERM), they are removed, with the directories the export made.",
    "",
    "Everything is written beneath HOSTPATH: a name in the pond that would lead",
    "elsewhere is refused, and so is a host symlink inside the target (HOSTPATH",
    "itself may be one). An entry pond cannot read (a damaged pond's, a symlink",
    "loop) is reported on its own line and left out; the rest is exported and the",
    "exit status is 1. A series whose versions differ in columns is written with",
    "all of them, empty where a version lacks one.",
  ],
  options: {
    recursive: {
      type: "boolean",
      short: "r",
      description: "export pond directories and everything in them",
    },
    at: {
      type: "string",
      value: "V",
      description:
        "export the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
    },
  },
  operands: { min: 2 },
  json: true,
  examples: [
    { command: "pond export /raw/data.csv .", explanation: "writes ./data.csv" },
    {
      command: "pond export -r /raw backup",
      explanation: "copies the pond directory /raw to ./backup (or into it, if it exists)",
    },
    {
      command: "pond export --at 3 /docs/README.md old-readme.md",
      explanation: "writes the file as it was in pond version 3",
    },
  ],
  async run(context, input) {
    const operands = [...input.operands];
    const destination = operands.pop() as string;
    const recursive = flagOption(input, "recursive");
    const at = parseAt(stringOption(input, "at"), "export");
    const interrupts = catchInterrupts();
    try {
      await readPond(context, at, (fs) =>
        withDynamicReads(fs, async (dynamic) => {
          const plan = await planExport(
            context,
            fs,
            dynamic,
            operands,
            destination,
            recursive,
            interrupts,
          );
          const written = await writeExport(context, fs.root(), plan, interrupts);
          if (context.json) {
            const document = { version: await fs.version(), files: written, bytes: plan.bytes };
            await write(context.io.stdout, toJson(document));
            return;
          }
          const size = formatBytes(plan.bytes);
          const summary = `exported ${plural(written.length, "file")} (${size}) to ${quoteName(destination)}`;
          await writeLines(context.io.stdout, [summary]);
        }),
      );
    } finally {
      interrupts.release();
    }
  },
};

/** What an export writes where, decided before anything is written. */
interface ExportPlan {
  sources: ExportSource[];
  /** The host path (as the user would write it) each source goes to. */
  targets: string[];
  /** The destination the user named, resolved. */
  hostDestination: string;
  bytes: number;
}

async function planExport(
  context: CommandContext,
  fs: FS,
  dynamic: DynamicReads,
  operands: readonly string[],
  destination: string,
  recursive: boolean,
  interrupts: Interrupts,
): Promise<ExportPlan> {
  const sources: ExportSource[] = [];
  for (const argument of operands) {
    sources.push(await planSource(context, fs.root(), dynamic, argument, recursive, interrupts));
  }
  const hostDestination = resolve(context.io.cwd, destination);
  const kind = await hostKind(hostDestination, destination);
  const targets = copyTargets(sources, destination, kind, join, (code, detail) => {
    return new HostError(code, destination, detail);
  });
  if (kind === "missing") {
    const parent = dirname(destination);
    const info = await onHost(parent, () => stat(dirname(hostDestination)));
    if (!info.isDirectory()) throw new HostError("ENOTDIR", parent, "not a directory");
  }
  const bytes = sources
    .flatMap((s) => s.items)
    .reduce((sum, item) => sum + (item.kind === "file" ? item.size : 0), 0);
  return { sources, targets, hostDestination, bytes };
}

/** Writes the plan all or nothing; the host paths written, in order. */
async function writeExport(
  context: CommandContext,
  root: WD,
  plan: ExportPlan,
  interrupts: Interrupts,
): Promise<string[]> {
  const progress = startProgress(context.io.stderr, {
    label: "exporting",
    total: plan.bytes,
    unit: "bytes",
  });
  // The destination the user named may be a link to follow; nothing below it may.
  const host = new HostTransaction(new Set([plan.hostDestination]));
  const written: string[] = [];
  const breathe = breather();
  const stop = () => interrupts.check("the files written so far were removed");
  try {
    for (const [i, source] of plan.sources.entries()) {
      const target = plan.targets[i] as string;
      const hostTarget = resolve(context.io.cwd, target);
      for (const item of source.items) {
        stop();
        const display = item.relative === "" ? target : join(target, item.relative);
        const path = hostPathBelow(hostTarget, item.relative, item.pondPath);
        if (item.kind === "directory") {
          await host.ensureDirectory(path, display);
          continue;
        }
        // In a directory, a file pond cannot read (a damaged pond's) is reported and left out.
        const read = async <T>(reading: Promise<T>): Promise<T | undefined> => {
          if (!source.isDirectory) return reading;
          return reading.catch((error: unknown) => {
            if (!PondError.is(error)) throw error;
            context.skip(error.path ? error : error.withPath(item.pondPath));
            return undefined;
          });
        };
        if (item.computed || item.series || item.size <= WHOLE_FILE_BYTES) {
          const bytes = await read(
            item.computed
              ? Promise.resolve(item.computed)
              : item.series
                ? readSeries(root, item)
                : root.readFile(item.pondPath),
          );
          if (bytes === undefined) continue;
          await host.stageFile(path, display, bytes);
          progress.advance(item.size, item.pondPath);
        } else {
          const stream = await read(root.createReadStream(item.pondPath));
          if (stream === undefined) continue;
          await host.stageFile(
            path,
            display,
            counted(stream, (n) => {
              stop();
              progress.advance(n, item.pondPath);
            }),
          );
        }
        written.push(display);
        await breathe();
      }
    }
    stop();
    await host.commit();
    return written;
  } catch (error) {
    await host.rollback();
    throw error;
  } finally {
    progress.done();
  }
}

async function hostKind(path: string, display: string): Promise<DestinationKind> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw hostError(error, display);
  }
}

async function planSource(
  context: CommandContext,
  root: WD,
  dynamic: DynamicReads,
  argument: string,
  recursive: boolean,
  interrupts: Interrupts,
): Promise<ExportSource> {
  if (argument.includes("*")) {
    return planMatches(context, root, dynamic, argument, recursive, interrupts);
  }
  const name = pondBasename(argument);
  if (await dynamic.holds(argument)) {
    const items = await computedItems(await dynamic.nodes(), argument, "");
    const isDirectory = items[0]?.kind === "directory";
    if (isDirectory && !recursive) {
      throw new PondError("EISDIR", "is a directory (use -r to export directories)", {
        path: argument,
      });
    }
    return { argument, name, isDirectory, items };
  }
  const meta = await root.stat(argument);
  if (meta.entryType !== "directory") {
    const item = await fileItem(root, argument, "", meta);
    return { argument, name, isDirectory: false, items: [item] };
  }
  if (!recursive) {
    throw new PondError("EISDIR", "is a directory (use -r to export directories)", {
      path: argument,
    });
  }
  const items: ExportItem[] = [directoryItem(argument, "")];
  const skip = (error: unknown) => context.skip(error);
  const walk = root.walk(argument, { followSymlinks: true, metadata: true, onError: skip });
  for await (const step of walk) {
    interrupts.check("nothing was exported");
    try {
      if (step.metadata && dynamicKind(step.metadata) !== undefined) {
        items.push(...(await computedItems(await dynamic.nodes(), step.path, step.relative)));
        continue;
      }
      items.push(await walkedItem(root, step));
    } catch (error) {
      if (!PondError.is(error)) throw error;
      skip(error);
    }
  }
  return { argument, name, isDirectory: true, items };
}

/**
 * A pattern's matches (reaching into dynamic nodes), each at its path below the pattern's fixed
 * directory, the components before the first with `*`: with /views fixed, the match
 * /views/weather/s-north/res=1h.series goes to weather/s-north/res=1h.series, so that matches of
 * one name do not meet. They merge into the destination, as a directory's contents do.
 */
async function planMatches(
  context: CommandContext,
  root: WD,
  dynamic: DynamicReads,
  argument: string,
  recursive: boolean,
  interrupts: Interrupts,
): Promise<ExportSource> {
  const components = parsePath(argument).components;
  if (components.includes("..")) {
    throw new PondError("EINVAL", "a pattern to export cannot hold ..", { path: argument });
  }
  const prefix = `/${components
    .slice(
      0,
      components.findIndex((c) => c.includes("*")),
    )
    .join("/")}`;
  const items: ExportItem[] = [directoryItem(prefix, "")];
  const made = new Set([""]);
  let matched = 0;
  const skip = (error: unknown) => context.skip(error);
  for await (const match of root.glob(argument, { onError: skip, dynamic })) {
    interrupts.check("nothing was exported");
    matched++;
    const path = absolute(match.path);
    const below = path.slice(prefix === "/" ? 1 : prefix.length + 1);
    const names = below.split("/");
    for (let i = 1; i < names.length; i++) {
      const dir = names.slice(0, i).join("/");
      if (made.has(dir)) continue;
      made.add(dir);
      items.push(directoryItem(pondJoin(prefix, dir), dir));
    }
    const source = await planSource(context, root, dynamic, path, recursive, interrupts);
    for (const item of source.items) {
      const relative = item.relative === "" ? below : `${below}/${item.relative}`;
      if (item.kind === "directory") {
        if (made.has(relative)) continue;
        made.add(relative);
      }
      items.push({ ...item, relative });
    }
  }
  if (matched === 0) {
    throw new PondError("ENOENT", "no such file or directory (the pattern matches nothing)", {
      path: argument,
    });
  }
  return { argument, name: "", isDirectory: true, items };
}

/** What a walked entry becomes: a directory, or a file (a symlink as what it leads to). */
async function walkedItem(root: WD, step: WalkEntry): Promise<ExportItem> {
  const { path, relative, entry } = step;
  const meta = entry.entryType === "symlink" ? await root.stat(path) : step.metadata;
  if (!meta) throw new PondError("CORRUPT", "entry has no metadata", { path });
  if (meta.entryType === "directory") return directoryItem(path, relative);
  return fileItem(root, path, relative, meta);
}

/** What a dynamic node's path holds, computed: its file, or its directory and all below it. */
async function computedItems(
  nodes: DynamicNodes,
  path: string,
  relative: string,
): Promise<ExportItem[]> {
  const computed = await nodes.stat(path);
  if (computed.file) {
    const bytes = computed.file.bytes;
    const pondPath = absolute(path);
    return [
      { pondPath, relative, kind: "file", series: false, size: bytes.length, computed: bytes },
    ];
  }
  const items = [directoryItem(path, relative)];
  for (const entry of await nodes.readdir(path)) {
    const below = relative === "" ? entry.name : `${relative}/${entry.name}`;
    items.push(...(await computedItems(nodes, pondJoin(path, entry.name), below)));
  }
  return items;
}

function directoryItem(path: string, relative: string): ExportItem {
  return { pondPath: absolute(path), relative, kind: "directory", series: false, size: 0 };
}

async function fileItem(
  root: WD,
  path: string,
  relative: string,
  meta: NodeMetadata,
): Promise<ExportItem> {
  const series = meta.entryType === "file:series";
  const size = series
    ? (await root.listFileVersions(path)).reduce((sum, v) => sum + v.size, 0)
    : meta.size;
  return { pondPath: absolute(path), relative, kind: "file", series, size };
}

/** A stream's chunks, reporting each one's size as it passes. */
async function* counted(
  stream: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    onChunk(chunk.length);
    yield chunk;
  }
}

/** A series' versions joined into one Parquet file. */
async function readSeries(root: WD, item: ExportItem): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (const version of await root.listFileVersions(item.pondPath)) {
    chunks.push(await root.readFile(item.pondPath, { version: version.version }));
  }
  return concatParquet(chunks, item.pondPath);
}
