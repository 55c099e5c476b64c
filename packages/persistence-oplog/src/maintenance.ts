// Maintenance of a long-lived pond: compaction, history retention and reclaiming unreferenced files.

import { randomBytes } from "node:crypto";
import { lstat, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { PondError, parseDuration } from "@pond/tinyfs";
import { realDirectory } from "./confined.js";
import { LARGE_FILES_DIR } from "./large-files.js";
import type { CompactResult } from "./native.js";
import { openPondTable, refuseLogGap } from "./open-oplog-fs.js";
import type { OpLogTable } from "./table.js";

/** The table property holding how long history is kept: a duration ("30d") or "forever". */
export const HISTORY_RETENTION_PROPERTY = "pond.historyRetention";
export const KEEP_FOREVER = "forever";

/** How long a file nothing refers to yet is left alone: a transaction may be about to commit it. */
export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;

export type MaintenanceStep =
  | "retention"
  | "compact"
  | "vacuum"
  | "log"
  | "large-files"
  | "checkpoint";

export interface MaintainOptions {
  /** Sets the pond's history retention first: a duration such as "30d", or "forever". */
  retention?: string;
  /** Unreferenced files younger than this are kept (default one hour). */
  orphanGraceMs?: number;
  /** Called as each step starts. */
  onStep?: (step: MaintenanceStep) => void;
  /** Settings of the bucket an s3:// pond is in (see `OplogFsOptions.storageOptions`). */
  storageOptions?: Record<string, string>;
}

export interface MaintainReport {
  /** The history retention in force: a duration or "forever". */
  retention: string;
  /** What compaction rewrote; its version is undefined when nothing needed it. */
  compaction: Pick<
    CompactResult,
    "version" | "partitions" | "filesRemoved" | "filesAdded" | "bytesRemoved" | "bytesAdded"
  >;
  /** Data files deleted: replaced by compaction beyond retention, or left by failed commits. */
  dataFilesDeleted: { files: number; bytes: number };
  /** Log entries deleted and the oldest version still readable. */
  log: { entriesDeleted: number; oldestVersion: number };
  /** Large files no version refers to, deleted. */
  largeFilesDeleted: { files: number; bytes: number };
}

const MAX_COMMIT_ATTEMPTS = 20;

/**
 * Delta's own retention, kept equal to the pond's: removed files stay tombstoned in checkpoints
 * only that long (so checkpoints stop growing with the pond's age once a retention is set), and
 * any Delta vacuum's default retention matches what pond keeps.
 */
const DELETED_FILE_RETENTION_PROPERTY = "delta.deletedFileRetentionDuration";

function deltaInterval(retention: string): string {
  if (retention === KEEP_FOREVER) return "interval 36500 days";
  return `interval ${Math.ceil(parseDuration(retention) / 1000)} seconds`;
}

/** The retention text of a pond's properties, validated: "forever" or a duration. */
export function historyRetention(properties: Record<string, string>): string {
  return checkRetention(properties[HISTORY_RETENTION_PROPERTY] ?? KEEP_FOREVER);
}

function checkRetention(text: string): string {
  if (text !== KEEP_FOREVER) parseDuration(text, "history retention");
  return text;
}

/**
 * Maintains the pond at `path`. Each step is safe to interrupt, also by
 * kill -9, and safe while other processes commit: compaction is one atomic
 * commit that changes no data, and files are deleted only when no retained
 * version refers to them.
 */
export async function maintainOplog(
  path: string,
  options: MaintainOptions = {},
): Promise<MaintainReport> {
  const grace = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  if (!Number.isInteger(grace) || grace < 0) {
    throw new PondError("EINVAL", "orphanGraceMs must be a whole number of milliseconds", { path });
  }
  const step = options.onStep ?? (() => undefined);
  const table = await openPondTable(path, options.storageOptions);
  try {
    refuseLogGap(table);
    await table.update();
    step("retention");
    if (options.retention !== undefined) {
      const wanted = checkRetention(options.retention);
      if (historyRetention(table.properties()) !== wanted) {
        await commitExactly(table, (version) =>
          table.setProperties(
            {
              [HISTORY_RETENTION_PROPERTY]: wanted,
              [DELETED_FILE_RETENTION_PROPERTY]: deltaInterval(wanted),
            },
            version,
          ),
        );
      }
    }
    const retention = historyRetention(table.properties());

    step("compact");
    let compaction: MaintainReport["compaction"] = {
      partitions: 0,
      filesRemoved: 0,
      filesAdded: 0,
      bytesRemoved: 0,
      bytesAdded: 0,
    };
    await commitExactly(table, async (version) => {
      const result = await table.compact(version);
      if (result === false) return false;
      compaction = result;
      return true;
    });

    const now = Date.now();
    const horizon = retention === KEEP_FOREVER ? undefined : now - parseDuration(retention);
    step("vacuum");
    const dataFilesDeleted = await vacuumDataFiles(table, horizon, now - grace);

    step("log");
    let log = { entriesDeleted: 0, oldestVersion: await table.oldestVersion() };
    if (horizon !== undefined) {
      const keepFrom = await oldestRetainedVersion(table, horizon);
      if (keepFrom > log.oldestVersion) {
        const cleaned = await table.cleanupLog(keepFrom);
        log = { entriesDeleted: cleaned.deleted.length, oldestVersion: cleaned.oldestVersion };
      }
    }

    step("large-files");
    const largeFilesDeleted = await reclaimLargeFiles(table, now - grace);

    step("checkpoint");
    await table.checkpoint();
    return { retention, compaction, dataFilesDeleted, log, largeFilesDeleted };
  } finally {
    table.close();
  }
}

/** Runs a commit at the next version, moving to the newest one and again when another writer was first. */
async function commitExactly(
  table: OpLogTable,
  commit: (version: number) => Promise<boolean>,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    if (await commit(table.version + 1)) return;
    await table.update();
  }
  throw new PondError(
    "CONFLICT",
    `gave up after ${MAX_COMMIT_ATTEMPTS} concurrent commits won the race`,
  );
}

/**
 * With a retention horizon, the files compaction replaced before it go; in any
 * case, data files no log entry names (left by commits that failed) go once
 * older than the grace period.
 */
async function vacuumDataFiles(
  table: OpLogTable,
  horizon: number | undefined,
  orphanedBefore: number,
): Promise<{ files: number; bytes: number }> {
  const result = await table.vacuum({
    olderThanMs: horizon ?? Number.MIN_SAFE_INTEGER,
    orphansOlderThanMs: orphanedBefore,
  });
  return { files: result.deleted.length, bytes: result.bytes };
}

/** The newest version committed at or before the horizon: everything older may be forgotten. */
async function oldestRetainedVersion(table: OpLogTable, horizon: number): Promise<number> {
  let keepFrom = 0;
  for (const entry of await table.history()) {
    const committed = entry.pond?.timestamp ?? entry.timestamp;
    if (committed <= horizon) keepFrom = entry.version;
    else break;
  }
  return keepFrom;
}

/**
 * Deletes large files no row refers to. A candidate is first renamed aside; if
 * a transaction rewrote it meanwhile (its mtime is fresh), it is put back.
 * Only regular files in a real `_large_files` directory are candidates: a link
 * there is CORRUPT, never followed, and a directory or a link inside it is
 * left alone (fsck reports it).
 */
async function reclaimLargeFiles(
  table: OpLogTable,
  orphanedBefore: number,
): Promise<{ files: number; bytes: number }> {
  // A bucket has no rename to set a candidate aside while checking that no transaction is
  // storing it again: large files in a bucket are kept.
  if (table.inBucket) return { files: 0, bytes: 0 };
  const dir = join(table.root, LARGE_FILES_DIR);
  if (!(await realDirectory(dir))) return { files: 0, bytes: 0 };
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  if (names.length === 0) return { files: 0, bytes: 0 };
  const referenced = new Set<string>();
  for (const row of await table.scanAll()) if (row.contentRef) referenced.add(row.contentRef);
  let files = 0;
  let bytes = 0;
  for (const name of names) {
    if (referenced.has(`${LARGE_FILES_DIR}/${name}`)) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs >= orphanedBefore) continue;
    const aside = join(dir, `.reclaim-${randomBytes(6).toString("hex")}`);
    if (
      !(await rename(path, aside).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const moved = await lstat(aside);
    if (!moved.isFile() || moved.mtimeMs >= orphanedBefore) {
      await rename(aside, path);
      continue;
    }
    await rm(aside, { force: true });
    files++;
    bytes += moved.size;
  }
  return { files, bytes };
}
