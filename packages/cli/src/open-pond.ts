// The one place that knows which backend a pond on disk uses: opening, creating, recognising.

import { readdir, stat } from "node:fs/promises";
import type {
  FsckOptions,
  FsckReport,
  MaintainOptions,
  MaintainReport,
} from "@pond/persistence-oplog";
import { type FS, PondError } from "@pond/tinyfs";
import type { PondLocation } from "./pond-location.js";

// Loaded when a pond is opened, not at start: its native binary may be missing on this platform,
// and `pond --help`, `pond --version` and the help pages work without it.
const loadOplog = () => import("@pond/persistence-oplog");

/** A past state of the pond: a pond version, or the newest version committed by a time. */
export type PondAt = { version: number } | { asOf: Date };

export interface OpenOptions {
  /** Show the pond as it was (read-only). */
  at?: PondAt | undefined;
  /** Refuse writes. */
  readOnly?: boolean;
}

/** Runs `fn` on the pond at `location`, closing it afterwards. ENOENT when there is none. */
export async function withPond<T>(
  location: PondLocation,
  options: OpenOptions,
  fn: (fs: FS) => Promise<T>,
): Promise<T> {
  const { openOplogFs } = await loadOplog();
  const fs = await openOplogFs(location.path, {
    ...options.at,
    ...(options.readOnly && { readOnly: true }),
  }).catch((error: unknown) => {
    if (PondError.is(error, "ENOENT") && error.path === location.path) throw noPond(location);
    throw reportedAt(error, location);
  });
  try {
    return await fn(fs);
  } finally {
    await fs.close();
  }
}

/** Creates an empty pond at `location` (its directory included) and runs `fn` on it. */
export async function withNewPond<T>(
  location: PondLocation,
  fn: (fs: FS) => Promise<T>,
): Promise<T> {
  const { createOplogFs } = await loadOplog();
  const fs = await createOplogFs(location.path).catch((error: unknown) => {
    throw reportedAt(error, location);
  });
  try {
    return await fn(fs);
  } finally {
    await fs.close();
  }
}

/** Compacts the pond and applies its history retention. */
export async function maintainPond(
  location: PondLocation,
  options: MaintainOptions,
): Promise<MaintainReport> {
  const { maintainOplog } = await loadOplog();
  return maintainOplog(location.path, options).catch((error: unknown) => {
    throw missingOrReported(error, location);
  });
}

/** Checks every version and every stored byte of the pond. */
export async function fsckPond(location: PondLocation, options: FsckOptions): Promise<FsckReport> {
  const { fsckOplog } = await loadOplog();
  return fsckOplog(location.path, options).catch((error: unknown) => {
    throw missingOrReported(error, location);
  });
}

function missingOrReported(error: unknown, location: PondLocation): unknown {
  if (PondError.is(error, "ENOENT") && error.path === location.path) return noPond(location);
  return reportedAt(error, location);
}

/** Whether `dir` holds a pond. */
export async function isPond(dir: string): Promise<boolean> {
  const { openOplogFs } = await loadOplog();
  try {
    await (await openOplogFs(dir, { readOnly: true })).close();
    return true;
  } catch (error) {
    if (PondError.is(error, "ENOENT") || PondError.is(error, "EINVAL")) return false;
    throw error;
  }
}

/**
 * Whether `dir` holds nothing but a pond's own files (the Delta log, partitions
 * and large files: names starting with `_` or `part_id=`), so removing it loses
 * nothing else.
 */
export async function holdsOnlyPond(
  dir: string,
  besides: readonly string[] = [],
): Promise<boolean> {
  if (!(await isPond(dir))) return false;
  const names = await readdir(dir);
  return names.every(
    (name) => name.startsWith("_") || name.startsWith("part_id=") || besides.includes(name),
  );
}

/** Whether `dir` is missing or an empty directory: a place a new pond may go. */
export async function isVacant(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

function noPond(location: PondLocation): PondError {
  return new PondError("ENOENT", "no pond here (create one with: pond init)", {
    path: location.display,
  });
}

/** Errors about the pond's directory name it as the user did; others (no path) name the pond. */
function reportedAt(error: unknown, location: PondLocation): unknown {
  if (!PondError.is(error)) return error;
  if (error.path === undefined || error.path === location.path) {
    return error.withPath(location.display);
  }
  return error;
}
