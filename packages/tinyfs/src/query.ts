// SQL over a pond: the FS resolves what a query reads (inside the transaction, so a query sees
// the transaction's own writes) into plain descriptions of Parquet sources, and hands them to a
// QueryEngine that another package provides. tinyfs itself runs no SQL and loads no engine.

import type { RecordBatch, Table } from "apache-arrow";
import { type ComputedFile, type DynamicReader, dynamicKind } from "./dynamic-node.js";
import { PondError } from "./errors.js";
import type { NodeMetadata } from "./node.js";
import type { WD } from "./wd.js";

/** The attrs a series chunk records about its time column (as @pond/derived writes them). */
const TIMESTAMP_COLUMN_ATTR = "timestampColumn";
const TIMESTAMP_UNIT_ATTR = "timestampUnit";

/** A point in time: epoch milliseconds, a Date, or an ISO 8601 string. */
export type QueryTime = number | Date | string;

export interface QueryOptions {
  /**
   * The tables the SQL names, each a pond path or a glob. A path is one file: a file:table (its
   * newest version), a file:series (every version, unioned by column name) or a file:data holding
   * Parquet. A glob is every file it matches as one table, with a `_path` column naming each
   * row's file. A list of paths is one table of those files, with `_path`, as a glob's is.
   */
  tables?: Record<string, string | readonly string[]>;
  /**
   * Reach into dynamic nodes through this reader: a table path (or a glob's match) at or below a
   * dynamic node is the Parquet it computes, one version. It reads the pond it was made for, so
   * it does not go with `at` (query a view of that version, made with `fs.atVersion`, instead).
   */
  dynamic?: DynamicReader;
  /** Query the pond as of this version (read-only): every path resolves as it was then. */
  at?: number;
  /**
   * Which versions of each file: one version, or a range (inclusive); by default every version
   * of a series and the newest of any other file.
   */
  versions?: number | { from?: number; to?: number };
  /**
   * Only rows whose time column is in [start, end): series chunks whose recorded time range lies
   * outside are not read at all (nor are those outside the bounds a WHERE clause puts on it).
   */
  timeRange?: { start?: QueryTime; end?: QueryTime };
}

/** Where a source's Parquet bytes are: bytes handed over, or a backend's locator of stored content. */
export type QueryContent = { readonly bytes: Uint8Array } | { readonly stored: unknown };

/** One Parquet file of a query table: a version of a pond file. */
export interface QuerySource {
  /** The pond path of its file. */
  readonly path: string;
  readonly meta: NodeMetadata;
  readonly content: QueryContent;
  /** Whether `meta`'s recorded time range is on the table's time column (it may prune). */
  readonly prunable: boolean;
}

/** A table a query names, resolved. */
export interface QueryTable {
  readonly name: string;
  readonly sources: readonly QuerySource[];
  /** Adds `_path`, the pond path of each row's file (tables made from a glob). */
  readonly pathColumn: boolean;
  /** The series' time column and the unit of an integer one (s, ms, us, ns). */
  readonly timeColumn?: string;
  readonly timeUnit?: string;
  /** Only rows with start <= time < end, epoch milliseconds. */
  readonly start?: number;
  readonly end?: number;
}

/** A query on its way: its record batches as they are made, never all held unless asked. */
export interface QueryRun extends AsyncIterable<RecordBatch> {
  /** Every batch, as one Table. */
  table(): Promise<Table>;
  /** How many files or series chunks the query has opened so far (after pruning). */
  sourcesRead(): Promise<number>;
}

/** Runs SQL over resolved tables: what a package with a SQL engine provides to the FS. */
export interface QueryEngine {
  run(sql: string, tables: readonly QueryTable[]): Promise<QueryRun>;
}

/** Reads the FS gives the resolution, each inside the query's transaction. */
export interface QueryReads {
  /** Where a query engine finds a version's content (staged bytes, or the backend's locator). */
  content(meta: NodeMetadata): Promise<QueryContent>;
}

const GLOB_CHARS = /[*?[{]/;

/** Epoch milliseconds of `time`; EINVAL naming `what` when it is not a time. */
export function queryMillis(time: QueryTime, what: string): number {
  const ms =
    typeof time === "number"
      ? time
      : time instanceof Date
        ? time.getTime()
        : typeof time === "string" && /^\d{4}-\d{2}-\d{2}/.test(time)
          ? Date.parse(time)
          : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new PondError("EINVAL", `${what} is not a time (epoch ms, Date or ISO 8601): ${time}`);
  }
  return ms;
}

/** The versions of `all` that `versions` selects; ENOENT when it names none. */
function selectVersions(
  all: readonly NodeMetadata[],
  versions: QueryOptions["versions"],
  path: string,
): NodeMetadata[] {
  if (versions === undefined) {
    const newest = all[all.length - 1];
    if (all[0]?.entryType === "file:series") return [...all];
    return newest ? [newest] : [];
  }
  const { from, to } = typeof versions === "number" ? { from: versions, to: versions } : versions;
  for (const bound of [from, to]) {
    if (bound !== undefined && (!Number.isInteger(bound) || bound < 1)) {
      throw new PondError("EINVAL", `invalid file version ${bound}`, { path });
    }
  }
  const chosen = all.filter(
    (v) => (from === undefined || v.version >= from) && (to === undefined || v.version <= to),
  );
  if (chosen.length === 0) {
    const range =
      typeof versions === "number" ? `version ${versions}` : `versions ${from ?? 1}..${to ?? ""}`;
    throw new PondError("ENOENT", `no ${range} (the file has ${all.length})`, { path });
  }
  return chosen;
}

/**
 * Resolves `options.tables` against `root` into query tables. ENOENT for a path or glob that
 * names nothing, EINVAL for a directory, a bad option or a table name given twice.
 */
export async function resolveQueryTables(
  root: WD,
  reads: QueryReads,
  options: QueryOptions,
): Promise<QueryTable[]> {
  const { start, end } = options.timeRange ?? {};
  const startMs = start === undefined ? undefined : queryMillis(start, "timeRange.start");
  const endMs = end === undefined ? undefined : queryMillis(end, "timeRange.end");
  const { dynamic } = options;
  const tables: QueryTable[] = [];
  for (const [name, spec] of Object.entries(options.tables ?? {})) {
    const list = Array.isArray(spec);
    const patterns: readonly unknown[] = list ? spec : [spec];
    if (
      name.length === 0 ||
      patterns.length === 0 ||
      !patterns.every((p) => typeof p === "string" && p.length > 0)
    ) {
      throw new PondError("EINVAL", `table ${JSON.stringify(name)} needs a name and a path`);
    }
    const pattern = list ? (spec as readonly string[]).join(", ") : (spec as string);
    const glob = !list && GLOB_CHARS.test(pattern);
    /** Each file, and whether a dynamic node computes it. */
    const paths: { path: string; computed: boolean }[] = [];
    if (glob) {
      for await (const match of root.glob(pattern, dynamic ? { dynamic } : {})) {
        if (match.entry.entryType === "directory") continue;
        paths.push({ path: match.path, computed: match.dynamicNode !== undefined });
      }
      if (paths.length === 0) {
        throw new PondError("ENOENT", `no file matches ${pattern} (table ${name})`, {
          path: pattern,
        });
      }
    } else {
      for (const path of patterns as string[]) paths.push({ path, computed: false });
    }
    const chosen: { path: string; versions: NodeMetadata[]; bytes?: Uint8Array }[] = [];
    for (const { path, computed } of paths) {
      const meta = computed ? undefined : await statStored(root, path, dynamic !== undefined);
      if (meta === undefined) {
        const file = await computedFile(dynamic as DynamicReader, path, options.versions);
        // A glob leaves directories out, computed ones too.
        if (file !== undefined) chosen.push(file);
        else if (!glob) {
          throw new PondError("EINVAL", `is a directory, not a table (table ${name})`, { path });
        }
        continue;
      }
      if (meta.entryType === "directory") {
        throw new PondError("EINVAL", `is a directory, not a table (table ${name})`, { path });
      }
      const all = await root.listFileVersions(path);
      chosen.push({ path, versions: selectVersions(all, options.versions, path) });
    }
    const newest = chosen
      .flatMap((c) => c.versions)
      .filter((v) => v.entryType === "file:series")
      .at(-1);
    const timeColumn = newest?.attrs?.[TIMESTAMP_COLUMN_ATTR];
    const timeUnit = newest?.attrs?.[TIMESTAMP_UNIT_ATTR];
    if ((startMs !== undefined || endMs !== undefined) && timeColumn === undefined) {
      throw new PondError(
        "EINVAL",
        `a time range needs a series with a recorded time column (table ${name})`,
        { path: pattern },
      );
    }
    const sources: QuerySource[] = [];
    for (const { path, versions, bytes } of chosen) {
      for (const meta of versions) {
        sources.push({
          path,
          meta,
          content: bytes ? { bytes } : await reads.content(meta),
          prunable:
            meta.entryType === "file:series" &&
            timeColumn !== undefined &&
            meta.attrs?.[TIMESTAMP_COLUMN_ATTR] === timeColumn,
        });
      }
    }
    tables.push({
      name,
      sources,
      pathColumn: glob || list,
      ...(timeColumn !== undefined && { timeColumn }),
      ...(timeUnit !== undefined && { timeUnit }),
      ...(startMs !== undefined && { start: startMs }),
      ...(endMs !== undefined && { end: endMs }),
    });
  }
  return tables;
}

/**
 * The metadata of a stored file at `path`; undefined when, `dynamic` being true, the path is a
 * dynamic node or leads into one (a stat through a file is ENOTDIR).
 */
async function statStored(
  root: WD,
  path: string,
  dynamic: boolean,
): Promise<NodeMetadata | undefined> {
  try {
    const meta = await root.stat(path);
    return dynamic && dynamicKind(meta) !== undefined ? undefined : meta;
  } catch (error) {
    if (dynamic && PondError.is(error, "ENOTDIR")) return undefined;
    throw error;
  }
}

/**
 * A dynamic node's computed file as a table's one version, its bytes handed to the engine;
 * undefined for a computed directory.
 */
async function computedFile(
  dynamic: DynamicReader,
  path: string,
  versions: QueryOptions["versions"],
): Promise<{ path: string; versions: NodeMetadata[]; bytes: Uint8Array } | undefined> {
  if (versions !== undefined) {
    throw new PondError("EINVAL", "a dynamic node's files have no versions of their own", {
      path,
    });
  }
  let file: ComputedFile;
  try {
    file = await dynamic.readFile(path);
  } catch (error) {
    if (PondError.is(error, "EISDIR")) return undefined;
    throw error;
  }
  const meta: NodeMetadata = {
    nodeId: `computed:${path}`,
    partId: `computed:${path}`,
    entryType: file.entryType,
    version: 1,
    size: file.bytes.length,
    sha256: "",
    timestamp: new Date(0),
    attrs: file.attrs,
  };
  return { path, versions: [meta], bytes: file.bytes };
}
