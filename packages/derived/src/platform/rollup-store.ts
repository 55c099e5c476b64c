// Rollup states on disk, so that a new process extends a rollup instead of recomputing it.
//
// Per state, in <cacheDir>/temporal-reduce/: a manifest `<id>.json` naming the chunks folded
// (their count and a digest of their ids), the columns, and files of buckets with a checksum
// each: segments of sealed buckets, written once and merged in pairs as they accumulate (so
// there are O(log n) of them), and a tail of the open buckets, rewritten at every save. A late
// chunk that changes sealed buckets rewrites the segments holding them. Every file is written
// to a temporary name and renamed; the manifest last. Whatever fails to read, parse or match
// its checksum makes the whole state absent: the computation then starts from nothing.

import { createHash, type Hash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DerivedParams } from "../derived-key.js";
import { Buckets, sortedSlots } from "../downsampler.js";
import { RollupState } from "../rollup-state.js";

const FORMAT = "pond-rollup/1";
const MAGIC = 0x31535250; // "PRS1"

interface Segment {
  file: string;
  sha256: string;
  /** Buckets in it. */
  n: number;
}

/** What a state's `stored` holds: its manifest as written, and the digest of its ids so far. */
interface Record {
  manifest: Manifest;
  text: string;
  ids: { count: number; hash: Hash };
}

interface Manifest {
  format: string;
  name: string;
  resolutionMs: number;
  covered: { count: number; digest: string };
  newestMs: number | null;
  storedBelow: number | null;
  columns: string[];
  segments: Segment[];
  tail: Segment;
}

/** The stored state of each name that covers a prefix of `ids`, else undefined. */
export async function loadStates(
  cacheDir: string | undefined,
  names: readonly string[],
  ids: readonly string[],
  params: readonly DerivedParams[],
): Promise<Array<RollupState | undefined>> {
  if (cacheDir === undefined) return names.map(() => undefined);
  const dir = join(cacheDir, "temporal-reduce");
  return Promise.all(
    names.map((name, i) =>
      load(dir, name, ids, (params[i] as DerivedParams).resolutionMs as number).catch(
        () => undefined,
      ),
    ),
  );
}

async function load(
  dir: string,
  name: string,
  ids: readonly string[],
  resolutionMs: number,
): Promise<RollupState | undefined> {
  const base = baseName(name);
  const text = await readFile(join(dir, `${base}.json`), "utf8");
  const manifest = JSON.parse(text) as Manifest;
  if (
    manifest.format !== FORMAT ||
    manifest.name !== name ||
    manifest.resolutionMs !== resolutionMs ||
    !(manifest.covered.count <= ids.length)
  ) {
    return undefined;
  }
  const digest = extend({ count: 0, hash: createHash("sha256") }, ids, manifest.covered.count);
  if (digest.hash.copy().digest("hex") !== manifest.covered.digest) return undefined;
  const state = new RollupState(new Buckets(resolutionMs));
  for (const column of manifest.columns) state.column(column);
  for (const segment of [...manifest.segments, manifest.tail]) {
    // Only this state's own files, in the cache directory: a manifest is not trusted to name others.
    const file = String(segment.file);
    if (!file.startsWith(`${base}-`) || !file.endsWith(".seg") || /[/\\]/.test(file)) {
      return undefined;
    }
    const bytes = await readFile(join(dir, file));
    if (sha256(bytes) !== segment.sha256) return undefined;
    if (!decode(bytes, segment.n, state)) return undefined;
  }
  state.covered.push(...ids.slice(0, manifest.covered.count));
  state.newestMs = manifest.newestMs ?? Number.NEGATIVE_INFINITY;
  state.storedBelow = manifest.storedBelow ?? Number.NEGATIVE_INFINITY;
  state.stored = { manifest, text, ids: digest } satisfies Record;
  return state;
}

/**
 * Stores each state: new segments for buckets sealed since the last save (bucket end plus
 * `latenessMs` at or before the newest event time), rewritten segments for sealed buckets
 * that changed, the tail, then the manifest. A failure to write leaves the cache as it was
 * or unreadable, never wrong, and is not the request's failure.
 */
export async function saveStates(
  cacheDir: string | undefined,
  names: readonly string[],
  states: readonly RollupState[],
  params: readonly DerivedParams[],
): Promise<void> {
  if (cacheDir === undefined) return;
  const dir = join(cacheDir, "temporal-reduce");
  try {
    await mkdir(dir, { recursive: true });
    for (const [i, state] of states.entries()) {
      await save(dir, names[i] as string, state, (params[i] as DerivedParams).latenessMs as number);
    }
  } catch {
    // A cache that cannot be written costs time later, nothing else.
  }
}

async function save(
  dir: string,
  name: string,
  state: RollupState,
  latenessMs: number,
): Promise<void> {
  const base = baseName(name);
  const manifestPath = join(dir, `${base}.json`);
  // What this state last wrote, if it is still there: another process may have replaced it.
  const last = state.stored as Record | undefined;
  const onDisk = await readFile(manifestPath, "utf8").catch(() => undefined);
  const previous = last && onDisk === last.text ? last.manifest : undefined;
  // A state of more chunks stays: this one is of an older version (`--at`), and the next
  // request for the newest would have to fold all the chunks between again.
  if (
    previous === undefined &&
    onDisk !== undefined &&
    coveredCount(onDisk) > state.covered.length
  ) {
    return;
  }
  const res = state.resolutionMs;
  // The digest of the ids goes on from the last save's: hashing them all again grows with history.
  const ids = extend(
    last?.ids ?? { count: 0, hash: createHash("sha256") },
    state.covered,
    state.covered.length,
  );
  const below = Number.isFinite(state.newestMs)
    ? Math.max(
        Math.floor((state.newestMs - latenessMs) / res),
        previous?.storedBelow ?? Number.NEGATIVE_INFINITY,
      )
    : Number.NEGATIVE_INFINITY;
  const { buckets } = state;
  const order = sortedSlots(buckets.bucketOfSlot, buckets.slots);
  const sorted = Array.from(order, (s) => buckets.bucketOfSlot[s] as number);
  // The sorted positions of the buckets each old segment holds, and which are stale.
  const segments: Array<{ from: number; to: number; file?: Segment }> = [];
  let at = 0;
  for (const segment of previous?.segments ?? []) {
    const from = at;
    at += segment.n;
    const stale = sorted.slice(from, at).some((b) => state.stale.has(b));
    segments.push({ from, to: at, ...(stale ? {} : { file: segment }) });
  }
  // Sealed buckets are never removed, so the old segments hold the first `at` of them;
  // a late chunk may have added sealed buckets among them: then they are all rewritten.
  const storedBelow = previous?.storedBelow ?? Number.NEGATIVE_INFINITY;
  const oldSealed = lowerBound(sorted, storedBelow);
  if (oldSealed !== at) segments.splice(0, segments.length, { from: 0, to: oldSealed });
  const sealed = lowerBound(sorted, below);
  if (sealed > oldSealed) segments.push({ from: oldSealed, to: sealed });
  // Merge the newest segment into the one before while it is at least half its size.
  while (segments.length >= 2) {
    const last = segments[segments.length - 1] as (typeof segments)[0];
    const prev = segments[segments.length - 2] as (typeof segments)[0];
    if (last.to - last.from < (prev.to - prev.from) / 2) break;
    segments.splice(segments.length - 2, 2, { from: prev.from, to: last.to });
  }
  const written: Segment[] = [];
  for (const segment of segments) {
    written.push(
      segment.file ?? (await writeSegment(dir, base, state, order, segment.from, segment.to)),
    );
  }
  const tail = await writeSegment(dir, base, state, order, sealed, sorted.length);
  const manifest: Manifest = {
    format: FORMAT,
    name,
    resolutionMs: res,
    covered: { count: state.covered.length, digest: ids.hash.copy().digest("hex") },
    newestMs: Number.isFinite(state.newestMs) ? state.newestMs : null,
    storedBelow: Number.isFinite(below) ? below : null,
    columns: [...state.columns],
    segments: written,
    tail,
  };
  const text = JSON.stringify(manifest);
  await writeAtomically(manifestPath, new TextEncoder().encode(text));
  state.stored = { manifest, text, ids } satisfies Record;
  state.storedBelow = below;
  state.stale.clear();
  // Files of this state no manifest names any more.
  const keep = new Set([...written, tail].map((s) => s.file));
  for (const file of await readdir(dir)) {
    if (file.startsWith(`${base}-`) && file.endsWith(".seg") && !keep.has(file)) {
      await rm(join(dir, file), { force: true });
    }
  }
}

/** Buckets at sorted positions [from, to): their indices, then per column count, sum, min, max. */
async function writeSegment(
  dir: string,
  base: string,
  state: RollupState,
  order: Int32Array,
  from: number,
  to: number,
): Promise<Segment> {
  const n = to - from;
  const columns = state.columns.length;
  const values = new Float64Array(1 + n * (1 + 4 * columns));
  const header = new Uint32Array(values.buffer, 0, 2);
  header[0] = MAGIC;
  header[1] = columns;
  const { buckets } = state;
  for (let i = 0; i < n; i++)
    values[1 + i] = buckets.bucketOfSlot[order[from + i] as number] as number;
  for (let c = 0; c < columns; c++) {
    const sums = buckets.sumsFor(c);
    const base = 1 + n + 4 * c * n;
    for (let i = 0; i < n; i++) {
      const s = order[from + i] as number;
      values[base + i] = sums.count[s] as number;
      values[base + n + i] = sums.sum[s] as number;
      values[base + 2 * n + i] = sums.min[s] as number;
      values[base + 3 * n + i] = sums.max[s] as number;
    }
  }
  const bytes = new Uint8Array(values.buffer);
  const hash = sha256(bytes);
  const file = `${base}-${hash.slice(0, 32)}.seg`;
  await writeAtomically(join(dir, file), bytes);
  return { file, sha256: hash, n };
}

/** Adds a segment's buckets to `state`; false when its layout is not what it should be. */
function decode(bytes: Buffer, n: number, state: RollupState): boolean {
  if (bytes.length % 8 !== 0 || bytes.length < 8) return false;
  const values = new Float64Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  const header = new Uint32Array(values.buffer, 0, 2);
  const columns = header[1] as number;
  if (header[0] !== MAGIC || columns > state.columns.length) return false;
  if (values.length !== 1 + n * (1 + 4 * columns)) return false;
  const { buckets } = state;
  for (let i = 0; i < n; i++) {
    const bucket = values[1 + i] as number;
    if (!Number.isSafeInteger(bucket) || buckets.slotOf.has(bucket)) return false;
    state.slot(bucket);
  }
  const first = buckets.slots - n;
  for (let c = 0; c < columns; c++) {
    const sums = buckets.sumsFor(c);
    const base = 1 + n + 4 * c * n;
    sums.count.set(values.subarray(base, base + n), first);
    sums.sum.set(values.subarray(base + n, base + 2 * n), first);
    sums.min.set(values.subarray(base + 2 * n, base + 3 * n), first);
    sums.max.set(values.subarray(base + 3 * n, base + 4 * n), first);
  }
  return true;
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The first position in `sorted` whose value is at least `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many chunks a manifest says it covers; 0 when it cannot be read. */
function coveredCount(text: string): number {
  try {
    const count = (JSON.parse(text) as Manifest).covered.count;
    return Number.isSafeInteger(count) ? count : 0;
  } catch {
    return 0;
  }
}

/** `digest` with the ids from its count up to `count` hashed in. */
function extend(
  digest: { count: number; hash: Hash },
  ids: readonly string[],
  count: number,
): { count: number; hash: Hash } {
  for (let i = digest.count; i < count; i++) digest.hash.update(`${ids[i] as string}\n`);
  digest.count = count;
  return digest;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A state's file names: a hash of its name (node id and parameters). */
function baseName(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 40);
}
