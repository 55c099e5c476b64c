// Copies of a pond between a local directory and an S3-compatible store (or two of either):
// the versions the destination lacks, data before the log entries that name it.

import { mkdir, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PondError } from "@pond/tinyfs";
import { copyVersions } from "./native.js";
import { fromStorage, native } from "./native-error.js";
import { isRemotesScratch, readRemotes, writeRemotes } from "./remotes.js";

export interface CopyPondOptions {
  /**
   * object_store settings for `s3://` places (`aws_endpoint`, `aws_region`, `aws_allow_http`,
   * credentials…), over the `AWS_*` environment variables. Never stored, never printed.
   */
  storageOptions?: Record<string, string>;
}

export interface CopyPondReport {
  /** The source's newest version. */
  sourceVersion: number;
  /** The destination's newest version before the copy; null when it held no pond. */
  destinationVersion: number | null;
  /** Versions copied (0: the destination was up to date, or ahead). */
  versions: number;
  /** Data files and large files copied. */
  files: number;
  bytes: number;
}

/**
 * Copies the versions `to` lacks from `from`: each a directory, a `file://` URL or
 * `s3://bucket/prefix`. CONFLICT when the two have different histories (nothing is copied) or
 * when another writer commits to `to` during the copy; running it again after an interruption
 * finishes the copy.
 */
export async function copyPond(
  from: string,
  to: string,
  options: CopyPondOptions = {},
): Promise<CopyPondReport> {
  const result = await native(() => copyVersions(from, to, options.storageOptions ?? {}));
  return {
    sourceVersion: result.sourceVersion,
    destinationVersion: result.destinationVersion ?? null,
    versions: result.versions,
    files: result.files,
    bytes: result.bytes,
  };
}

/**
 * A new local pond at `dir` (absent or empty) holding every version of the pond at `from`, which
 * it names its remote `origin`. A clone cut short is finished by cloning again into the same
 * directory; any other directory with something in it is EEXIST.
 */
export async function clonePond(
  from: string,
  dir: string,
  options: CopyPondOptions = {},
): Promise<CopyPondReport> {
  const origin = from.includes("://") ? from : resolve(from);
  const entries = (
    await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw fromStorage(error, `reading ${dir}`);
    })
  ).filter((name) => !isRemotesScratch(name));
  if (entries.length === 0) {
    await mkdir(dir, { recursive: true }).catch((error: unknown) => {
      throw fromStorage(error, `creating ${dir}`);
    });
    await writeRemotes(dir, { origin });
  } else if ((await cloneOrigin(dir)) !== origin) {
    throw new PondError("EEXIST", "a clone goes into a new or empty directory", { path: dir });
  }
  return copyPond(origin, dir, options);
}

/** The origin of the clone (finished or not) at `dir`; undefined when it is not one. */
async function cloneOrigin(dir: string): Promise<string | undefined> {
  try {
    return (await readRemotes(dir)).origin;
  } catch {
    return undefined;
  }
}
