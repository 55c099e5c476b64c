// DerivedFileManager: computed files cached under a byte budget, keyed by their inputs' versions.

import { type FileEntryType, type FS, isFileType, PondError } from "@pond/tinyfs";
import type { TimeUnit } from "./arrow-ffi.js";
import { ByteBudgetLru } from "./byte-budget-lru.js";
import {
  type DerivedKey,
  type DerivedParams,
  derivedKey,
  type InputVersion,
} from "./derived-key.js";
import { DOWNSAMPLE, downsampleTimeseries } from "./downsample-timeseries.js";
import { parseResolution, type Resolution } from "./resolution.js";
import { resolveSource, type SourceInput } from "./source-input.js";
import { parseTimeRange, type TimeRange } from "./time-range.js";
import { parseTimeUnit } from "./timestamp-column.js";

/** 256 MiB. */
export const DEFAULT_BUDGET_BYTES = 256 * 2 ** 20;

// A result's bookkeeping (key, parameters, inputs) is about 1 KiB the budget does not count:
// one result per 16 KiB of budget at most keeps it near a sixteenth of the budget.
const BUDGET_BYTES_PER_ENTRY = 16 * 2 ** 10;
const MIN_ENTRIES = 16;

export interface DerivedFileManagerOptions {
  /**
   * Bytes of results kept before the least recently used are evicted (default
   * 256 MiB). The newest result is kept even when it alone exceeds the budget.
   * At most one result per 16 KiB of budget (and at least 16) is kept, so that
   * many tiny results cannot hold unbounded bookkeeping.
   */
  budgetBytes?: number;
}

/** A computation's output, with how to store it. */
export interface DerivedContent {
  data: Uint8Array;
  /** Appended to the result's file name, e.g. ".parquet". */
  extension?: string;
  /** The result's file type (default `file:data`). */
  entryType?: FileEntryType;
  /** Extra attrs for the result. */
  attrs?: Record<string, string>;
}

/** What a computation is given. */
export interface DerivedComputeContext {
  /** The inputs, in request order, each pinned to the version the key names. */
  inputs: readonly SourceInput[];
  params: DerivedParams;
  /** The result's key. */
  key: string;
  sourceFs: FS;
}

/** Computes a result; called at most once per key at a time. */
export type DerivedCompute = (
  context: DerivedComputeContext,
) => Promise<Uint8Array | DerivedContent>;

/** An input as a result's key names it. */
export interface DerivedInput extends InputVersion {
  /** The path it was requested by. */
  path: string;
}

/** A derived file: its name, its content and what it was computed from. */
export interface DerivedFile {
  /** Hex sha256 of the canonical key. */
  key: string;
  /** The result's name: `/<computation>/<key><extension>`. */
  path: string;
  /** The content. A copy: the caller may keep and change it. */
  bytes: Uint8Array;
  size: number;
  computation: string;
  params: DerivedParams;
  inputs: DerivedInput[];
  entryType: FileEntryType;
  /** The computation's attrs, and `computation`, `key` and `inputs` (`nodeId@version,…`). */
  attrs: Record<string, string>;
  /** True when served from the cache, false when computed for (or while) this request. */
  cached: boolean;
}

/** Options of a downsampling request. */
export interface DownsampleOptions {
  /** Only rows with a time in `[start, end)`; series chunks that cannot overlap are not read. */
  range?: TimeRange;
  /** Only these numeric columns, in this order (default: all, in file order). */
  columns?: readonly string[];
  /** The time column (default: the node's `attrs.timestampColumn`, else found by type and name). */
  timestampColumn?: string;
  /** The unit of an integer epoch time column (default: the node's `attrs.timestampUnit`). */
  timestampUnit?: TimeUnit;
}

/** Counters, for tests and monitoring. */
export interface DerivedStats {
  /** Results held. */
  entries: number;
  /** Their bytes. */
  bytes: number;
  budgetBytes: number;
  /** Results served from the cache. */
  hits: number;
  /** Results computed for a request. */
  misses: number;
  /** Results a request waited for while another request computed them. */
  joins: number;
  /** Calls of a compute function (several results may come from one call). */
  computations: number;
  evictions: number;
  /** Series chunks (or whole files) read by downsampling. */
  chunksRead: number;
  /** Series chunks a time range let downsampling skip. */
  chunksSkipped: number;
}

interface Entry {
  key: DerivedKey;
  path: string;
  /** Held by the cache alone: never the computation's own buffer, never handed out. */
  bytes: Uint8Array;
  computation: string;
  params: DerivedParams;
  inputs: DerivedInput[];
  entryType: FileEntryType;
  attrs: Record<string, string>;
}

interface Request {
  computation: string;
  params: DerivedParams;
}

/**
 * Computes files from the files of `sourceFs` and keeps the results in memory
 * under a byte budget.
 *
 * A result's key names the computation, its parameters (canonical: key order
 * does not matter) and every input's node id and version, so a new version of
 * an input is a new key and the old result is never served for it. Concurrent
 * requests for one key compute once; a failed computation is not cached and
 * every waiter gets its error. Results beyond `budgetBytes` are evicted least
 * recently used first and recomputed when asked for again.
 */
export class DerivedFileManager {
  readonly sourceFs: FS;
  readonly budgetBytes: number;
  private readonly lru: ByteBudgetLru<Entry>;
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly counters = {
    hits: 0,
    misses: 0,
    joins: 0,
    computations: 0,
    evictions: 0,
    chunksRead: 0,
    chunksSkipped: 0,
  };
  private closed = false;

  constructor(sourceFs: FS, options: DerivedFileManagerOptions = {}) {
    const budget = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
    if (typeof budget !== "number" || !(budget >= 0) || !Number.isFinite(budget)) {
      throw new PondError("EINVAL", `invalid budgetBytes ${String(budget)}`);
    }
    this.sourceFs = sourceFs;
    this.budgetBytes = budget;
    this.lru = new ByteBudgetLru(
      budget,
      Math.max(MIN_ENTRIES, Math.floor(budget / BUDGET_BYTES_PER_ENTRY)),
    );
  }

  /**
   * The result of `computation` over `inputs` (paths in the source pond) with
   * `params`: from the cache, from a computation already running for the same
   * key, or from `compute`. ENOENT for a missing input; EINVAL for an invalid
   * computation name or params, or an input with uncommitted changes.
   */
  async get(
    computation: string,
    inputs: string | readonly string[],
    params: DerivedParams,
    compute: DerivedCompute,
  ): Promise<DerivedFile> {
    const sources = await this.resolve(typeof inputs === "string" ? [inputs] : inputs);
    const [file] = await this.obtain([{ computation, params }], sources, async (_missing, keys) => {
      const content = await compute({
        inputs: sources,
        params,
        key: (keys[0] as DerivedKey).hash,
        sourceFs: this.sourceFs,
      });
      return [content];
    });
    return file as DerivedFile;
  }

  /**
   * The Parquet file at `path` (a `file:table`, or any file holding Parquet) or
   * the `file:series` at `path` (the union of all its chunks) downsampled to
   * `resolution`: per epoch-aligned UTC bucket `[k × width, (k + 1) × width)`,
   * with the bucket start in a `timestamp` column (Timestamp, milliseconds,
   * UTC) and, for every numeric column c, `c.min`, `c.max`, `c.avg` (doubles,
   * null for a bucket without values) and `c.count` (int64). Nulls and NaN are
   * ignored; buckets without rows are left out; rows are sorted by bucket.
   * Given several resolutions, the input is read once and each result cached
   * on its own.
   *
   * The time column is `options.timestampColumn`, else the node's
   * `attrs.timestampColumn`, else an Arrow timestamp column (one named
   * timestamp, time, ts, event_time or datetime first); any unit (s, ms, us,
   * ns) and time zone, bucketed exactly. An int32/int64 epoch column is taken
   * only with its unit (`options.timestampUnit` or `attrs.timestampUnit`):
   * guessing it from magnitudes would be silently wrong for some data. Rows
   * with a null time are left out.
   *
   * ENOENT for a missing path; EINVAL for a directory, a file that is not
   * Parquet, no time column or an invalid resolution; CORRUPT for undecodable
   * Parquet.
   */
  getDownsampledTimeseries(
    path: string,
    resolution: Resolution,
    options?: DownsampleOptions,
  ): Promise<DerivedFile>;
  getDownsampledTimeseries(
    path: string,
    resolutions: readonly Resolution[],
    options?: DownsampleOptions,
  ): Promise<DerivedFile[]>;
  async getDownsampledTimeseries(
    path: string,
    resolution: Resolution | readonly Resolution[],
    options: DownsampleOptions = {},
  ): Promise<DerivedFile | DerivedFile[]> {
    const many = Array.isArray(resolution);
    const list: readonly Resolution[] = many ? resolution : [resolution as Resolution];
    if (list.length === 0) throw new PondError("EINVAL", "no resolution given");
    const widths = list.map(parseResolution);
    const unique = [...new Set(widths)];
    const range = parseTimeRange(options.range);
    const timestampUnit =
      options.timestampUnit === undefined ? undefined : parseTimeUnit(options.timestampUnit);
    const columns = options.columns === undefined ? undefined : [...options.columns];
    if (columns?.some((c) => typeof c !== "string")) {
      throw new PondError("EINVAL", "columns must be column names");
    }
    const shared = {
      start: range.startMs,
      end: range.endMs,
      columns,
      timestampColumn: options.timestampColumn,
      timestampUnit,
    };
    const [source] = await this.resolve([path]);
    const input = source as SourceInput;
    const files = await this.obtain(
      unique.map((resolutionMs) => ({
        computation: DOWNSAMPLE,
        params: { resolutionMs, ...shared },
      })),
      [input],
      async (missing) => {
        const outputs = await downsampleTimeseries(
          input,
          {
            ...range,
            resolutionsMs: missing.map((i) => unique[i] as number),
            columns,
            timestampColumn: options.timestampColumn,
            timestampUnit,
          },
          this.counters,
        );
        return outputs.map((data, j) => ({
          data,
          extension: ".parquet",
          entryType: "file:table" as const,
          attrs: {
            timestampColumn: "timestamp",
            timestampUnit: "ms",
            resolutionMs: String(unique[missing[j] as number]),
          },
        }));
      },
    );
    const byWidth = new Map(unique.map((w, i) => [w, files[i] as DerivedFile]));
    const result = widths.map((w) => byWidth.get(w) as DerivedFile);
    return many ? result : (result[0] as DerivedFile);
  }

  /** Counters since the manager was made. */
  stats(): DerivedStats {
    return {
      entries: this.lru.size,
      bytes: this.lru.bytes,
      budgetBytes: this.budgetBytes,
      ...this.counters,
    };
  }

  /** Drops the results; later calls fail with CLOSED. The source pond is left open. */
  async close(): Promise<void> {
    this.closed = true;
    this.lru.clear();
  }

  private async resolve(paths: readonly string[]): Promise<SourceInput[]> {
    this.checkOpen();
    if (paths.length === 0) throw new PondError("EINVAL", "a computation needs an input");
    const root = this.sourceFs.root();
    const sources: SourceInput[] = [];
    for (const path of paths) sources.push(await resolveSource(root, path));
    return sources;
  }

  /**
   * The results of `requests` over `sources`: cached ones read back, running
   * ones awaited, the rest computed by one call of `computeMissing` (given the
   * indexes of the missing requests, it returns their contents in that order).
   */
  private async obtain(
    requests: readonly Request[],
    sources: readonly SourceInput[],
    computeMissing: (
      missing: number[],
      keys: DerivedKey[],
    ) => Promise<Array<Uint8Array | DerivedContent>>,
  ): Promise<DerivedFile[]> {
    const inputs: DerivedInput[] = sources.map((s) => ({
      path: s.path,
      nodeId: s.nodeId,
      version: s.version,
    }));
    const keys = requests.map((r) => derivedKey(r.computation, r.params, inputs));
    this.checkOpen();
    const pending: Array<Promise<DerivedFile>> = [];
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const entry = this.lru.get(key.hash);
      if (entry) {
        this.counters.hits++;
        pending[i] = Promise.resolve(toFile(entry, true));
        return;
      }
      const running = this.inflight.get(key.hash);
      if (running) {
        this.counters.joins++;
        pending[i] = running.then((e) => toFile(e, false));
        return;
      }
      missing.push(i);
    });
    if (missing.length > 0) {
      this.counters.computations++;
      this.counters.misses += missing.length;
      const missingKeys = missing.map((i) => keys[i] as DerivedKey);
      const run = (async () => {
        const contents = await computeMissing(missing, missingKeys);
        if (contents.length !== missing.length) {
          throw new PondError("EINVAL", "a computation returned the wrong number of results");
        }
        return contents;
      })();
      missing.forEach((i, j) => {
        const key = keys[i] as DerivedKey;
        const request = requests[i] as Request;
        const outcome = run.then((contents) =>
          this.keep(key, request, inputs, contents[j] as Uint8Array | DerivedContent),
        );
        this.inflight.set(key.hash, outcome);
        // Settled either way, the key is no longer running; a failure leaves nothing cached.
        const settled = () => {
          if (this.inflight.get(key.hash) === outcome) this.inflight.delete(key.hash);
        };
        outcome.then(settled, settled);
        pending[i] = outcome.then((e) => toFile(e, false));
      });
    }
    return Promise.all(pending);
  }

  private keep(
    key: DerivedKey,
    request: Request,
    inputs: DerivedInput[],
    content: Uint8Array | DerivedContent,
  ): Entry {
    const {
      data,
      extension = "",
      entryType = "file:data",
      attrs,
    } = content instanceof Uint8Array ? { data: content } : content;
    if (!(data instanceof Uint8Array)) {
      throw new PondError("EINVAL", `computation ${request.computation} returned no bytes`);
    }
    if (!/^(\.[A-Za-z0-9_-]{1,20})?$/.test(extension) || !isFileType(entryType)) {
      throw new PondError("EINVAL", `computation ${request.computation} returned an invalid file`);
    }
    const entry: Entry = {
      key,
      path: `/${request.computation}/${key.hash}${extension}`,
      // A copy the cache alone holds, of exactly the bytes it counts (a view could pin a larger buffer).
      bytes: data.slice(),
      computation: request.computation,
      params: request.params,
      inputs,
      entryType,
      attrs: {
        ...attrs,
        computation: request.computation,
        key: key.hash,
        inputs: inputs.map((i) => `${i.nodeId}@${i.version}`).join(","),
      },
    };
    this.checkOpen();
    this.lru.set(key.hash, entry, data.length);
    this.counters.evictions += this.lru.evict(key.hash).length;
    return entry;
  }

  private checkOpen(): void {
    if (this.closed) throw new PondError("CLOSED", "the derived file manager is closed");
  }
}

/** What a request gets: the entry's description and a copy of its bytes, the caller's to change. */
function toFile(entry: Entry, cached: boolean): DerivedFile {
  return {
    key: entry.key.hash,
    path: entry.path,
    bytes: entry.bytes.slice(),
    size: entry.bytes.length,
    computation: entry.computation,
    params: entry.params,
    inputs: entry.inputs,
    entryType: entry.entryType,
    attrs: { ...entry.attrs },
    cached,
  };
}
