// The one shape every derived computation has: a name, its parameters, its inputs, its compute.

import type { EntryType, FileEntryType, FS } from "@pond/tinyfs";
import type { DerivedParams } from "./derived-key.js";
import type { SourceInput } from "./source-input.js";

/** A computation's output, with how to describe it. */
export interface DerivedContent {
  data: Uint8Array;
  /** Appended to the result's path, e.g. ".parquet". */
  extension?: string;
  /** The result's file type (default `file:data`). */
  entryType?: FileEntryType;
  /** Extra attrs for the result. */
  attrs?: Record<string, string>;
}

/** Which inputs a computation takes; checked after the paths resolve, before anything is read. */
export interface DerivedInputs {
  /** How many paths, at least. */
  min: number;
  /** How many paths, at most. */
  max: number;
  /** The entry types an input may have (symlinks are followed first); any when left out. */
  entryTypes?: readonly EntryType[];
}

/** What `compute` is given. */
export interface DerivedComputationContext {
  /** The inputs, in request order, each pinned to the version the keys name. */
  inputs: readonly SourceInput[];
  /** The parameters of each result to compute (those neither cached nor running), one per key. */
  params: readonly DerivedParams[];
  /** The results' keys (hex sha256), in the order of `params`. */
  keys: readonly string[];
  sourceFs: FS;
  /** Counters to add to: series chunks (or whole files) read, and skipped by a time range. */
  counters: { chunksRead: number; chunksSkipped: number };
  /**
   * The computation's own state between calls (e.g. partial aggregates to extend), one map per
   * manager and computation, dropped when the manager closes; the computation bounds its size.
   */
  memo: Map<string, unknown>;
  /**
   * A directory where the computation may keep state across processes (the manager's
   * `cacheDir`), or undefined. Anything in it may be deleted or damaged at any time.
   */
  cacheDir: string | undefined;
}

/**
 * A derived computation. Register it with a `DerivedFileManager` (or list it in
 * `BUILT_IN_COMPUTATIONS`) and ask for it by name with `manager.derive`: the
 * manager resolves the inputs, keys each result by name, parameters and input
 * versions, serves what is cached or running, and calls `compute` once for the rest.
 */
export interface DerivedComputation {
  /** Part of every key and the first component of every result's path: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** The inputs it accepts. */
  readonly inputs: DerivedInputs;
  /**
   * The parameters of each result a request's `options` ask for, validated
   * (EINVAL otherwise) and complete, since they are the results' keys. A
   * request may ask for several results (downsampling: one per resolution);
   * equal parameters are one result. Called before any input is resolved.
   */
  parameters(options: unknown): DerivedParams[];
  /**
   * The content of each result in `context.params`, in that order, reading
   * the inputs once for all of them. Called at most once at a time per key; a
   * failure is not cached and reaches every request waiting for those keys.
   */
  compute(context: DerivedComputationContext): Promise<DerivedContent[]>;
}
