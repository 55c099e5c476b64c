// pond copy: copy host files and directories into the pond, in one transaction.

import { createReadStream, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { CsvSchema } from "@pond/derived";
import { type EntryType, type FileEntryType, PondError, type WD } from "@pond/tinyfs";
import { type Command, type CommandInput, flagOption, stringOption } from "../command.js";
import { copyTargets } from "../copy-destination.js";
import { loadDerived } from "../derived.js";
import { HostError, hostError, onHost, onHostSync, UsageError } from "../errors.js";
import { hostCsvBytes, parquetName } from "../host/host-csv.js";
import { type HostItem, type HostSource, scanHostSources } from "../host/host-sources.js";
import { WHOLE_FILE_BYTES } from "../host/host-transaction.js";
import { catchInterrupts } from "../interrupts.js";
import { printChange } from "../output/change-summary.js";
import { breather, type Progress, startProgress } from "../output/progress.js";
import { formatBytes, plural } from "../output/units.js";
import { absolute, destinationKind, entryTypeAt, pondJoin } from "../pond-paths.js";
import { type Change, changePond } from "../pond-session.js";

export const copy: Command = {
  name: "copy",
  summary: "copy host files and directories into the pond",
  usage: "pond copy [-r] [--series] [--format csv [--schema SPEC]] HOSTPATH... PONDPATH",
  description: [
    "Copies host files into the pond, all in one transaction: if any of them",
    "fails, none is copied. The destination follows cp's rules: one source onto a",
    "missing name creates that name, onto an existing directory goes inside it,",
    "and several sources need a directory. Copying onto an existing file adds a",
    "new version of it. New files ending in .parquet become file:table, others",
    "file:data. Host symlinks are followed.",
    "",
    "With --series each host file must be Parquet and is appended as a new version",
    "of a file:series, recording its event-time range (the time column is found",
    "as downsampling finds it). If PONDPATH is not a directory, every source is",
    "appended to that one series, in order. A chunk may add columns or lack some,",
    "but a column it shares with the series must have the same type (EINVAL).",
    "",
    "With --format csv each host file is CSV text (UTF-8, a header row naming the",
    "columns, quoted as RFC 4180 says; a name ending in .gz or .zst is decompressed)",
    "and is stored as Parquet: a file:table, or with --series a series chunk. Into a",
    "directory, data.csv.gz becomes data.parquet. Column types are inferred from all",
    "the values: int64, float64, boolean (true/false), timestamp (ISO 8601; without",
    "an offset it is UTC; stored as timestamp[us, UTC], [ns] when a value needs it),",
    "else string; an empty field is null. --schema gives types by name:",
    "int64, float64, boolean, string, timestamp[s|ms|us|ns] (ISO 8601, or integer",
    "epochs in that unit; seconds are stored as ms). Appending to a series, its",
    "columns keep their types. A value that does not fit, or a malformed row, fails",
    "the copy with FILE:LINE:COLUMN, the column and the value. The file is read",
    "twice (types first, then the Parquet file is written in row groups), so memory",
    "stays small whatever its size.",
    "",
    "Interrupted (Ctrl-C, SIGTERM) before it commits, a copy commits nothing.",
  ],
  options: {
    recursive: {
      type: "boolean",
      short: "r",
      description: "copy host directories and everything in them",
    },
    series: {
      type: "boolean",
      description: "append Parquet files as versions of a file:series",
    },
    format: {
      type: "string",
      value: "FORMAT",
      description: "read the host files as FORMAT (csv) and store them as Parquet",
    },
    schema: {
      type: "string",
      value: "SPEC",
      description: "with --format csv, column types: NAME:TYPE,... (the others are inferred)",
    },
  },
  operands: { min: 2 },
  json: true,
  examples: [
    { command: "pond copy data.csv /raw/", explanation: "copies data.csv to /raw/data.csv" },
    {
      command: "pond copy -r measurements /archive/2025",
      explanation: "copies the host directory (creating /archive/2025 if it is missing)",
    },
    {
      command: "pond copy --series day1.parquet day2.parquet /sensors/weather",
      explanation: "appends two chunks, as two versions, to the series /sensors/weather",
    },
    {
      command: "pond copy --format csv readings.csv.gz /tables/",
      explanation: "stores the CSV as the Parquet file:table /tables/readings.parquet",
    },
    {
      command:
        'pond copy --format csv --series --schema "time:timestamp[s],temp:float64" day3.csv /sensors/weather',
      explanation: "appends day3.csv, whose times are epoch seconds, to the series",
    },
  ],
  async run(context, input) {
    const operands = [...input.operands];
    const destination = operands.pop() as string;
    const series = flagOption(input, "series");
    const csv = await csvOptions(input);
    const scanned = scanHostSources(operands, context.io.cwd, flagOption(input, "recursive"));
    const sources = csv ? scanned.map(csvTargetNames) : scanned;
    const files = sources.flatMap((s) => s.items).filter((i) => i.kind === "file");
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    const progress = startProgress(context.io.stderr, {
      label: "copying",
      // CSV is read twice: for its types, then to write it.
      total: csv ? 2 * bytes : bytes,
      unit: "bytes",
    });
    const interrupts = catchInterrupts();
    const stop = () => interrupts.check("the pond is unchanged");
    let change: Change<string[]>;
    try {
      change = await changePond(context, async (root) => {
        const targets = await planTargets(root, sources, destination, series);
        const copier = new Copier(root, series, csv, progress, stop);
        for (const [i, source] of sources.entries()) {
          await copier.copy(source, targets[i] as string);
        }
        // The last point of return: a signal from here on lets the commit finish.
        stop();
        progress.phase("committing");
        return copier.written;
      });
    } finally {
      interrupts.release();
      progress.done();
    }
    await printChange(
      context,
      change,
      `copied ${plural(files.length, "file")} (${formatBytes(bytes)}) to ${absolute(destination)}`,
      { files: change.result, bytes },
    );
  },
};

/** --format and --schema: the CSV options, or undefined when the files are copied as they are. */
async function csvOptions(input: CommandInput): Promise<CsvSchema | undefined> {
  const format = stringOption(input, "format");
  const schema = stringOption(input, "schema");
  if (format === undefined) {
    if (schema !== undefined) throw new UsageError("--schema needs --format csv", "copy");
    return undefined;
  }
  if (format.toLowerCase() !== "csv") {
    throw new UsageError(`--format takes csv, not '${format}'`, "copy");
  }
  if (schema === undefined) return {};
  const { parseCsvSchema } = await loadDerived();
  try {
    return parseCsvSchema(schema);
  } catch (error) {
    if (PondError.is(error)) throw new UsageError(`--schema: ${error.detail}`, "copy");
    throw error;
  }
}

/** A source whose files take Parquet names when their names come from the host. */
function csvTargetNames(source: HostSource): HostSource {
  if (!source.isDirectory) return { ...source, name: parquetName(source.name) };
  const items = source.items.map((item) => {
    if (item.kind !== "file") return item;
    const slash = item.relative.lastIndexOf("/");
    const relative =
      item.relative.slice(0, slash + 1) + parquetName(item.relative.slice(slash + 1));
    return { ...item, relative };
  });
  return { ...source, items };
}

async function planTargets(
  root: WD,
  sources: readonly HostSource[],
  destination: string,
  series: boolean,
): Promise<string[]> {
  const kind = await destinationKind(root, destination);
  if (series && kind !== "directory") {
    // Every chunk goes to the one series named by the destination.
    for (const source of sources) {
      if (source.isDirectory) {
        throw new HostError("EISDIR", source.argument, "is a directory: --series appends files");
      }
    }
    if (destination.endsWith("/")) {
      throw new PondError("ENOENT", "no such directory", { path: destination });
    }
    return sources.map(() => destination);
  }
  return copyTargets(sources, destination, kind, pondJoin, (code, detail) => {
    return new PondError(code, detail, { path: destination });
  });
}

/** Writes host items into the pond, one transaction's worth. */
class Copier {
  /** The pond paths written, in order. */
  readonly written: string[] = [];
  /**
   * Entry types by name of the pond directories this copy writes into, read once and kept
   * current as it writes, so that a tree of many files is not a path lookup per file.
   */
  private readonly listings = new Map<string, Map<string, EntryType>>();
  private readonly breathe = breather();
  /** The host file each CSV target was read from. */
  private readonly csvSources = new Map<string, string>();

  constructor(
    private readonly root: WD,
    private readonly series: boolean,
    /** The schema of CSV files, when they are read as CSV. */
    private readonly csv: CsvSchema | undefined,
    private readonly progress: Progress,
    /** Throws once the copy is interrupted. */
    private readonly stop: () => void,
  ) {}

  async copy(source: HostSource, target: string): Promise<void> {
    for (const item of source.items) {
      this.stop();
      const path = item.relative === "" ? target : pondJoin(target, item.relative);
      const parent = item.relative === "" ? undefined : parentOf(target, item.relative);
      const existing = await this.existing(path, parent);
      if (item.kind === "directory") await this.ensureDirectory(path, parent, existing);
      else await this.copyFile(item, path, parent, existing);
      await this.breathe();
    }
  }

  /** What is at `path` now (symlinks followed), from its parent's listing when there is one. */
  private async existing(path: string, parent?: Parent): Promise<EntryType | undefined> {
    if (!parent) return entryTypeAt(this.root, path);
    let listing = this.listings.get(parent.path);
    if (!listing) {
      const entries = await this.root.readdir(parent.path);
      listing = new Map(entries.map((entry) => [entry.name, entry.entryType]));
      this.listings.set(parent.path, listing);
    }
    const type = listing.get(parent.name);
    return type === "symlink" ? entryTypeAt(this.root, path) : type;
  }

  // Copying into an existing directory merges, as cp -r does; a file in the way is EEXIST.
  private async ensureDirectory(
    path: string,
    parent: Parent | undefined,
    existing: EntryType | undefined,
  ): Promise<void> {
    if (existing === "directory") return;
    if (existing !== undefined)
      throw new PondError("EEXIST", "exists and is not a directory", { path });
    await this.root.createDirPath(path);
    this.listings.set(path, new Map());
    if (parent) this.listings.get(parent.path)?.set(parent.name, "directory");
  }

  private async copyFile(
    item: HostItem,
    path: string,
    parent: Parent | undefined,
    existing: EntryType | undefined,
  ): Promise<void> {
    if (this.csv) {
      if (!this.series && existing === "file:series") {
        throw new PondError("EINVAL", "is a file:series: add versions with --series", { path });
      }
      // data.csv and data.csv.gz both become data.parquet: one would silently replace the other.
      const earlier = this.csvSources.get(path);
      if (earlier !== undefined && !this.series) {
        throw new PondError("EINVAL", `${earlier} and ${item.display} would both be written here`, {
          path,
        });
      }
      this.csvSources.set(path, item.display);
      const { importCsv } = await loadDerived();
      const display = item.display;
      await importCsv(
        this.root,
        path,
        () =>
          hostCsvBytes({
            hostPath: item.hostPath,
            display,
            onRead: (bytes) => {
              this.stop();
              this.progress.advance(bytes, display);
            },
          }),
        { series: this.series, name: display, schema: this.csv },
      );
      const entryType = this.series ? "file:series" : "file:table";
      if (parent) this.listings.get(parent.path)?.set(parent.name, entryType);
    } else if (this.series) {
      const data = await onHost(item.display, () => readFile(item.hostPath));
      const { appendSeriesChunk } = await loadDerived();
      await appendSeriesChunk(
        this.root,
        path,
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
      this.progress.advance(item.size, item.display);
      if (parent) this.listings.get(parent.path)?.set(parent.name, "file:series");
    } else {
      if (existing === "file:series") {
        throw new PondError("EINVAL", "is a file:series: add versions with --series", { path });
      }
      const entryType = existing === undefined ? newFileType(path) : undefined;
      const options = entryType ? { entryType } : {};
      if (item.size <= WHOLE_FILE_BYTES) {
        // Read in one call: a stream per small file costs far more than its bytes.
        const content = onHostSync(item.display, () => readFileSync(item.hostPath));
        await this.root.writeFile(path, content, options);
        this.progress.advance(content.length, item.display);
      } else {
        await this.root.writeFileFrom(path, this.hostChunks(item), options);
      }
      if (parent && entryType) this.listings.get(parent.path)?.set(parent.name, entryType);
    }
    this.written.push(absolute(path));
  }

  /** A host file's bytes in chunks, so large files never sit in memory whole. */
  private async *hostChunks(item: HostItem): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of createReadStream(item.hostPath, {
        highWaterMark: WHOLE_FILE_BYTES,
      })) {
        this.stop();
        this.progress.advance((chunk as Buffer).length, item.display);
        yield chunk as Buffer;
      }
    } catch (error) {
      throw hostError(error, item.display);
    }
  }
}

/** A pond directory an item goes into, and the item's name there. */
interface Parent {
  path: string;
  name: string;
}

function parentOf(target: string, relative: string): Parent {
  const slash = relative.lastIndexOf("/");
  return slash < 0
    ? { path: target, name: relative }
    : { path: pondJoin(target, relative.slice(0, slash)), name: relative.slice(slash + 1) };
}

function newFileType(path: string): FileEntryType {
  return path.toLowerCase().endsWith(".parquet") ? "file:table" : "file:data";
}
