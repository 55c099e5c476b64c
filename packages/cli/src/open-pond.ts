// The one place that opens the pond a location names, through its backend: opening, creating, recognising.

import { readdir } from "node:fs/promises";
import type {
  FsckOptions,
  FsckReport,
  MaintainOptions,
  MaintainReport,
} from "@pond/persistence-oplog";
import { type FS, PondError } from "@pond/tinyfs";
import { BACKENDS, type OpenOptions, type PondBackend } from "./pond-backends.js";
import type { PondLocation } from "./pond-location.js";

export type { OpenOptions, PondAt } from "./pond-backends.js";

const backendOf = (location: PondLocation): PondBackend => BACKENDS[location.scheme];

/** Runs `fn` on the pond at `location`, closing it afterwards. ENOENT when there is none. */
export async function withPond<T>(
  location: PondLocation,
  options: OpenOptions,
  fn: (fs: FS) => Promise<T>,
): Promise<T> {
  const fs = await backendOf(location)
    .open(location.path, options)
    .catch((error: unknown) => {
      throw missingOrReported(error, location);
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
  const fs = await backendOf(location)
    .create(location.path)
    .catch((error: unknown) => {
      throw reportedAt(error, location);
    });
  try {
    return await fn(fs);
  } finally {
    await fs.close();
  }
}

/** Compacts the pond and applies its history retention: ENOTSUP on a backend that cannot. */
export async function maintainPond(
  location: PondLocation,
  options: MaintainOptions,
): Promise<MaintainReport> {
  const { maintain } = backendOf(location);
  if (!maintain) throw unsupported("maintain", location);
  return maintain(location.path, options).catch((error: unknown) => {
    throw missingOrReported(error, location);
  });
}

/** Checks every version and every stored byte of the pond: ENOTSUP on a backend that cannot. */
export async function fsckPond(location: PondLocation, options: FsckOptions): Promise<FsckReport> {
  const { fsck } = backendOf(location);
  if (!fsck) throw unsupported("fsck", location);
  return fsck(location.path, options).catch((error: unknown) => {
    throw missingOrReported(error, location);
  });
}

function missingOrReported(error: unknown, location: PondLocation): unknown {
  if (PondError.is(error, "ENOENT") && error.path === location.path) return noPond(location);
  return reportedAt(error, location);
}

/** Whether `location` holds a pond. */
export function isPond(location: PondLocation): Promise<boolean> {
  return backendOf(location).isPond(location.path);
}

/**
 * Whether `location` is a directory holding nothing but a pond's own files (the Delta log,
 * partitions and large files: names starting with `_` or `part_id=`), so removing it loses
 * nothing else.
 */
export async function holdsOnlyPond(
  location: PondLocation,
  besides: readonly string[] = [],
): Promise<boolean> {
  if (location.scheme !== "file" || !(await isPond(location))) return false;
  const names = await readdir(location.path);
  return names.every(
    (name) => name.startsWith("_") || name.startsWith("part_id=") || besides.includes(name),
  );
}

/** Whether nothing is at `location` yet: a place a new pond may go. */
export function isVacant(location: PondLocation): Promise<boolean> {
  return backendOf(location).isVacant(location.path);
}

function unsupported(command: string, location: PondLocation): PondError {
  return new PondError("ENOTSUP", `the ${location.scheme} backend has no ${command}`, {
    path: location.display,
  });
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
