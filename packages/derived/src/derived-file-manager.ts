// DerivedFileManager: computed files cached under a byte budget, keyed by their inputs' versions.

import { type FileEntryType, type FS, isFileType, PondError } from "@pond/tinyfs";
import { ByteBudgetLru } from "./byte-budget-lru.js";
import { BUILT_IN_COMPUTATIONS } from "./computations.js";
import type { DerivedComputation, DerivedContent } from "./derived-computation.js";
import {
  type DerivedKey,
  type DerivedParams,
  derivedKey,
  type InputVersion,
  validateComputationName,
} from "./derived-key.js";
import { DOWNSAMPLE, type DownsampleOptions } from "./downsample-timeseries.js";
import type { DynamicKind } from "./dynamic/dynamic-kind.js";
import { DynamicNodes } from "./dynamic/dynamic-nodes.js";
import { dynamicSource } from "./dynamic/dynamic-source.js";
import { BUILT_IN_KINDS } from "./dynamic/kinds.js";
import type { Resolution } from "./resolution.js";
import { resolveSource, type SourceInput } from "./source-input.js";

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
  /** Computations to register beside the built-in ones. */
  computations?: readonly DerivedComputation[];
  /** Kinds of dynamic node to register beside the built-in ones. */
  kinds?: readonly DynamicKind[];
  /**
   * A directory where computations keep state across processes, such as the
   * partial aggregates of incremental rollups (default: none, state is kept in
   * memory only). Deleting it, or any file in it, only costs time.
   */
  cacheDir?: string;
}

/** What a one-off computation (`get`) is given. */
export interface DerivedComputeContext {
  /** The inputs, in request order, each pinned to the version the key names. */
  inputs: readonly SourceInput[];
  params: DerivedParams;
  /** The result's key. */
  key: string;
  sourceFs: FS;
}

/** Computes a one-off result (`get`); called at most once per key at a time. */
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
  /** Series chunks (or whole files) read by time series computations. */
  chunksRead: number;
  /** Series chunks a time range let them skip. */
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

/**
 * Computes files from the files of `sourceFs` with registered computations
 * (`BUILT_IN_COMPUTATIONS` and those given or registered) and keeps the results
 * in memory under a byte budget.
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
  /** The dynamic nodes of `sourceFs`, whose outputs this manager computes and caches. */
  readonly dynamic: DynamicNodes;
  readonly cacheDir: string | undefined;
  private readonly computations = new Map<string, DerivedComputation>();
  private readonly lru: ByteBudgetLru<Entry>;
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly memos = new Map<string, Map<string, unknown>>();
  private readonly counters = { hits: 0, misses: 0, joins: 0, computations: 0, evictions: 0 };
  // Apart from the others, which computations are handed.
  private readonly chunks = { chunksRead: 0, chunksSkipped: 0 };
  private closed = false;

  constructor(sourceFs: FS, options: DerivedFileManagerOptions = {}) {
    const budget = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
    if (typeof budget !== "number" || !(budget >= 0) || !Number.isFinite(budget)) {
      throw new PondError("EINVAL", `invalid budgetBytes ${String(budget)}`);
    }
    this.sourceFs = sourceFs;
    this.budgetBytes = budget;
    if (
      options.cacheDir !== undefined &&
      (typeof options.cacheDir !== "string" || options.cacheDir === "")
    ) {
      throw new PondError("EINVAL", `invalid cacheDir ${String(options.cacheDir)}`);
    }
    this.cacheDir = options.cacheDir;
    this.lru = new ByteBudgetLru(
      budget,
      Math.max(MIN_ENTRIES, Math.floor(budget / BUDGET_BYTES_PER_ENTRY)),
    );
    for (const c of [...BUILT_IN_COMPUTATIONS, ...(options.computations ?? [])]) this.register(c);
    this.dynamic = new DynamicNodes(sourceFs, this);
    for (const kind of [...BUILT_IN_KINDS, ...(options.kinds ?? [])]) this.dynamic.register(kind);
  }

  /**
   * Makes `computation` available to `derive` by its name. EINVAL for an
   * invalid name or one already registered: two computations sharing a name
   * would share keys, and one's results would be served for the other.
   */
  register(computation: DerivedComputation): void {
    validateComputationName(computation.name);
    if (this.computations.has(computation.name)) {
      throw new PondError("EINVAL", `computation ${computation.name} is already registered`);
    }
    this.computations.set(computation.name, computation);
  }

  /**
   * The results of the registered computation `name` over `inputs` (paths in
   * the source pond) with `options`, one per set of parameters the options ask
   * for, in that order: from the cache, from a computation already running for
   * the same key, or from one call of the computation for all the others.
   * ENOENT for a missing input; EINVAL for an unknown computation, invalid
   * options, inputs it does not take, or an input with uncommitted changes.
   */
  async derive(
    name: string,
    inputs: string | readonly string[],
    options?: unknown,
  ): Promise<DerivedFile[]> {
    const computation = this.computations.get(name);
    if (computation === undefined) {
      throw new PondError("EINVAL", `no computation named ${JSON.stringify(name)}`);
    }
    return this.run(computation, inputs, options);
  }

  /**
   * The result of a one-off `computation` over `inputs` (paths in the source
   * pond) with `params`: from the cache, from a computation already running for
   * the same key, or from `compute`. ENOENT for a missing input; EINVAL for an
   * invalid or registered computation name, invalid params, or an input with
   * uncommitted changes.
   */
  async get(
    computation: string,
    inputs: string | readonly string[],
    params: DerivedParams,
    compute: DerivedCompute,
  ): Promise<DerivedFile> {
    validateComputationName(computation);
    if (this.computations.has(computation)) {
      throw new PondError("EINVAL", `${computation} is a registered computation: use derive`);
    }
    const oneOff: DerivedComputation = {
      name: computation,
      inputs: { min: 1, max: Number.POSITIVE_INFINITY },
      parameters: () => [params],
      compute: async (context) => {
        const content = await compute({
          inputs: context.inputs,
          params,
          key: context.keys[0] as string,
          sourceFs: this.sourceFs,
        });
        return [content instanceof Uint8Array ? { data: content } : content];
      },
    };
    const [file] = await this.run(oneOff, inputs, undefined);
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
    const resolutions: readonly Resolution[] = many ? resolution : [resolution as Resolution];
    const files = await this.derive(DOWNSAMPLE, path, { ...options, resolutions });
    return many ? files : (files[0] as DerivedFile);
  }

  /** Counters since the manager was made. */
  stats(): DerivedStats {
    return {
      entries: this.lru.size,
      bytes: this.lru.bytes,
      budgetBytes: this.budgetBytes,
      ...this.counters,
      ...this.chunks,
    };
  }

  /** Drops the results; later calls fail with CLOSED. The source pond is left open. */
  async close(): Promise<void> {
    this.closed = true;
    this.lru.clear();
    this.memos.clear();
  }

  /**
   * The results of `computation` for `options` over `paths`: cached ones
   * served, running ones awaited, the rest computed by one call of
   * `computation.compute`.
   */
  private async run(
    computation: DerivedComputation,
    paths: string | readonly string[],
    options: unknown,
  ): Promise<DerivedFile[]> {
    this.checkOpen();
    const params = computation.parameters(options);
    const sources = await this.resolve(computation, typeof paths === "string" ? [paths] : paths);
    const inputs: DerivedInput[] = sources.map((s) => ({
      path: s.path,
      nodeId: s.nodeId,
      version: s.version,
    }));
    const keys = params.map((p) => derivedKey(computation.name, p, inputs));
    this.checkOpen();
    // Equal parameters are one result.
    const unique = new Map<string, number>();
    const pending = new Map<string, Promise<DerivedFile>>();
    const missing: number[] = [];
    keys.forEach((key, i) => {
      if (unique.has(key.hash)) return;
      unique.set(key.hash, i);
      const entry = this.lru.get(key.hash);
      if (entry) {
        this.counters.hits++;
        pending.set(key.hash, Promise.resolve(toFile(entry, true)));
        return;
      }
      const running = this.inflight.get(key.hash);
      if (running) {
        this.counters.joins++;
        pending.set(
          key.hash,
          running.then((e) => toFile(e, false)),
        );
        return;
      }
      missing.push(i);
    });
    if (missing.length > 0) {
      this.counters.computations++;
      this.counters.misses += missing.length;
      const run = (async () => {
        const contents = await computation.compute({
          inputs: sources,
          params: missing.map((i) => params[i] as DerivedParams),
          keys: missing.map((i) => (keys[i] as DerivedKey).hash),
          sourceFs: this.sourceFs,
          counters: this.chunks,
          memo: this.memoOf(computation.name),
          cacheDir: this.cacheDir,
        });
        if (!Array.isArray(contents) || contents.length !== missing.length) {
          throw new PondError("EINVAL", "a computation returned the wrong number of results");
        }
        return contents;
      })();
      missing.forEach((i, j) => {
        const key = keys[i] as DerivedKey;
        const kept = run.then((contents) =>
          this.keep(computation.name, key, params[i] as DerivedParams, inputs, contents[j]),
        );
        const outcome = kept.then((k) => k.entry);
        this.inflight.set(key.hash, outcome);
        // Settled either way, the key is no longer running; a failure leaves nothing cached.
        const settled = () => {
          if (this.inflight.get(key.hash) === outcome) this.inflight.delete(key.hash);
        };
        outcome.then(settled, settled);
        // The computation's own buffer goes to this request: the cache keeps a copy.
        pending.set(
          key.hash,
          kept.then((k) => toFile(k.entry, false, k.data)),
        );
      });
    }
    // All at once: awaiting one by one would leave the others' failures unhandled.
    const settled = await Promise.all(pending.values());
    const files = new Map([...pending.keys()].map((hash, i) => [hash, settled[i] as DerivedFile]));
    // A result asked for twice is one file, each copy with its own bytes.
    return keys.map((key, i) => {
      const file = files.get(key.hash) as DerivedFile;
      return unique.get(key.hash) === i ? file : { ...file, bytes: new Uint8Array(file.bytes) };
    });
  }

  private memoOf(computation: string): Map<string, unknown> {
    let memo = this.memos.get(computation);
    if (memo === undefined) {
      memo = new Map();
      this.memos.set(computation, memo);
    }
    return memo;
  }

  private async resolve(
    computation: DerivedComputation,
    paths: readonly string[],
  ): Promise<SourceInput[]> {
    const { min, max, entryTypes } = computation.inputs;
    if (paths.length === 0) throw new PondError("EINVAL", "a computation needs an input");
    if (paths.length < min || paths.length > max) {
      throw new PondError(
        "EINVAL",
        `${computation.name} takes ${min === max ? min : `${min} to ${max}`} inputs, not ${paths.length}`,
      );
    }
    const root = this.sourceFs.root();
    const sources: SourceInput[] = [];
    for (const path of paths) {
      // An input may be the output of a dynamic node: its identity is its result's key.
      const location = await this.dynamic.locate(path);
      const source =
        location === undefined
          ? await resolveSource(root, path)
          : dynamicSource(path, await this.dynamic.readFile(path));
      if (entryTypes !== undefined && !entryTypes.includes(source.entryType)) {
        throw new PondError(
          "EINVAL",
          `${computation.name} takes ${entryTypes.join(" or ")}, not a ${source.entryType}`,
          { path },
        );
      }
      sources.push(source);
    }
    return sources;
  }

  private keep(
    computation: string,
    key: DerivedKey,
    params: DerivedParams,
    inputs: DerivedInput[],
    content: DerivedContent | undefined,
  ): { entry: Entry; data: Uint8Array } {
    const { data, extension = "", entryType = "file:data", attrs } = content ?? {};
    if (!(data instanceof Uint8Array)) {
      throw new PondError("EINVAL", `computation ${computation} returned no bytes`);
    }
    if (!/^(\.[A-Za-z0-9_-]{1,20})?$/.test(extension) || !isFileType(entryType)) {
      throw new PondError("EINVAL", `computation ${computation} returned an invalid file`);
    }
    const entry: Entry = {
      key,
      path: `/${computation}/${key.hash}${extension}`,
      // A copy the cache alone holds, of exactly the bytes it counts (a view could pin a larger
      // buffer). Not slice(): on a Buffer that is a view of the same bytes.
      bytes: new Uint8Array(data),
      computation,
      params,
      inputs,
      entryType,
      attrs: {
        ...attrs,
        computation,
        key: key.hash,
        inputs: inputs.map((i) => `${i.nodeId}@${i.version}`).join(","),
      },
    };
    this.checkOpen();
    this.lru.set(key.hash, entry, data.length);
    this.counters.evictions += this.lru.evict(key.hash).length;
    return { entry, data };
  }

  private checkOpen(): void {
    if (this.closed) throw new PondError("CLOSED", "the derived file manager is closed");
  }
}

/** What a request gets: the entry's description and bytes of its own, the caller's to change. */
function toFile(
  entry: Entry,
  cached: boolean,
  bytes: Uint8Array = new Uint8Array(entry.bytes),
): DerivedFile {
  return {
    key: entry.key.hash,
    path: entry.path,
    bytes,
    size: entry.bytes.length,
    computation: entry.computation,
    params: entry.params,
    inputs: entry.inputs,
    entryType: entry.entryType,
    attrs: { ...entry.attrs },
    cached,
  };
}
