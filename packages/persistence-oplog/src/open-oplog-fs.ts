// The factories of oplog-backed ponds.

import { FS, PondError } from "@pond/tinyfs";
import { OpLogPersistence, SNAPSHOT_INTERVAL_PROPERTY } from "./oplog-persistence.js";
import { nativeQueryEngine } from "./query-engine.js";
import { describeGap, OpLogTable } from "./table.js";

export interface OpenOplogOptions {
  /** Show the pond as of this version (read-only). */
  version?: number;
  /** Show the pond as of this time, by pond's own commit timestamps (read-only). */
  asOf?: Date;
  /** Refuse writes. */
  readOnly?: boolean;
  /**
   * Settings of an `s3://bucket/prefix` pond (`aws_endpoint`, `aws_region`, `aws_allow_http`,
   * credentials…), over the `AWS_*` environment variables. Never stored, never printed.
   */
  storageOptions?: Record<string, string>;
}

/** Settings fixed when a pond is created; every writer then follows them. */
export interface CreateOplogOptions {
  /** Delta checkpoint every this many versions (default 100; 10 for a pond in a bucket). */
  checkpointInterval?: number;
  /**
   * A directory's record is its full listing when that costs at most this many entries per
   * record since the last full one, and every this many records at most (default 64).
   */
  directorySnapshotInterval?: number;
  /** Settings of an `s3://bucket/prefix` pond, as {@link OpenOplogOptions.storageOptions}. */
  storageOptions?: Record<string, string>;
}

/**
 * Opens the pond at `path` (a directory, `file://` URL or `s3://bucket/prefix`), creating an
 * empty one if there is none.
 */
export async function createOplogFs(path: string, options: CreateOplogOptions = {}): Promise<FS> {
  const properties: Record<string, string> = {};
  for (const [key, property] of [
    ["checkpointInterval", "delta.checkpointInterval"],
    ["directorySnapshotInterval", SNAPSHOT_INTERVAL_PROPERTY],
  ] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new PondError("EINVAL", `${key} must be a positive integer`, { path });
    }
    properties[property] = String(value);
  }
  const { storageOptions } = options;
  try {
    return await openOplogFs(path, { storageOptions });
  } catch (error) {
    if (!PondError.is(error, "ENOENT")) throw error;
  }
  try {
    const table = await OpLogTable.create(path, properties, storageOptions);
    return new FS(new OpLogPersistence(table), { queryEngine: nativeQueryEngine });
  } catch (error) {
    // Another process created it first.
    if (PondError.is(error, "EEXIST")) return openOplogFs(path, { storageOptions });
    throw error;
  }
}

/** Opens an existing pond: ENOENT if `path` holds none. */
export async function openOplogFs(path: string, options: OpenOplogOptions = {}): Promise<FS> {
  if (options.version !== undefined && options.asOf !== undefined) {
    throw new PondError("EINVAL", "give either version or asOf, not both", { path });
  }
  const version = options.version;
  if (version !== undefined && (!Number.isInteger(version) || version < 0)) {
    throw new PondError("EINVAL", `invalid version ${version}`, { path });
  }
  const table = await openPondTable(path, options.storageOptions);
  if (version === undefined && options.asOf === undefined) {
    try {
      refuseLogGap(table);
    } catch (error) {
      table.close();
      throw error;
    }
  }
  const fs = new FS(new OpLogPersistence(table), {
    readOnly: options.readOnly === true,
    queryEngine: nativeQueryEngine,
  });
  if (version === undefined && options.asOf === undefined) return fs;
  try {
    return await fs.atVersion(version ?? (await versionAt(fs, options.asOf as Date, path)));
  } finally {
    await fs.close();
  }
}

/** The table of the pond at `path`: ENOENT if there is none, EINVAL for a Delta table that is not a pond. */
export async function openPondTable(
  path: string,
  storageOptions?: Record<string, string>,
): Promise<OpLogTable> {
  const table = await OpLogTable.open(path, undefined, storageOptions).catch((error: unknown) => {
    // A URL's user part would be credentials: never shown.
    const shown = path.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/]*@/, "$1");
    throw PondError.is(error) && error.path === undefined ? error.withPath(shown) : error;
  });
  if (table.properties()["pond.format"] === undefined) {
    table.close();
    throw new PondError("EINVAL", "a Delta table, but not a pond", { path });
  }
  return table;
}

/**
 * CORRUPT when the log of a table opened at its newest version stops at a missing entry while
 * later ones are there: showing the older version as the newest would hide the later ones, and
 * writing would land in the gap. The message names the newest readable version, which an open
 * at that version (or any older one) still reads.
 */
export function refuseLogGap(table: OpLogTable): void {
  const gap = table.logGap();
  if (!gap) return;
  throw new PondError(
    "CORRUPT",
    `${describeGap(gap)}; the newest readable version is ${gap.missing - 1}, which can still ` +
      "be opened by its number; pond fsck reports the damage",
    { path: table.root },
  );
}

/** The newest version committed at or before `asOf`. */
async function versionAt(fs: FS, asOf: Date, path: string): Promise<number> {
  const time = asOf.getTime();
  if (Number.isNaN(time)) throw new PondError("EINVAL", "invalid asOf date", { path });
  const history = await fs.history();
  let found: number | undefined;
  for (const commit of history) {
    if (commit.timestamp.getTime() <= time) found = commit.version;
    else break;
  }
  if (found === undefined) {
    throw new PondError("EINVAL", `the pond did not exist at ${asOf.toISOString()}`, { path });
  }
  return found;
}
