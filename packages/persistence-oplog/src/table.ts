// OpLogTable: the op-log Delta table, wrapping the native handle with pond's types and errors.

import { fileURLToPath } from "node:url";
import { PondError } from "@pond/tinyfs";
import {
  type CompactOptions,
  type CompactResult,
  type DataFileEntry,
  type LogActionProblem,
  type LogCleanupResult,
  type LogGap,
  type NativeQuery,
  NativeTable,
  type PartitionStats,
  type QueryTableSpec,
  type ScanStats,
  type StoredObject,
  type VacuumOptions,
  type VacuumResult,
} from "./native.js";
import { fromNative, isVersionExists, native } from "./native-error.js";
import { decodeRows, encodeRows, type InvalidRow, type OpLogRow } from "./rows.js";

/** What pond records with each commit, in the Delta commitInfo. */
export interface PondCommitInfo {
  message?: string;
  meta?: Record<string, string>;
  txnId: string;
  /** Commit time, epoch milliseconds. */
  timestamp: number;
  rows: number;
  partitions: number;
}

/** Why a log entry's commit time or pond commit info cannot be used (it came from the pond), or undefined. */
function commitInfoProblem(timestamp: unknown, pond: unknown): string | undefined {
  const time = (t: unknown) => typeof t === "number" && Number.isFinite(t) && Math.abs(t) < 8.64e15;
  if (timestamp !== null && timestamp !== undefined && !time(timestamp)) {
    return "the commit time is not a time";
  }
  if (pond === undefined) return undefined;
  if (typeof pond !== "object" || pond === null) return "pond's commit info is not an object";
  const info = pond as Record<string, unknown>;
  const count = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!time(info.timestamp)) return "pond's commit time is not a time";
  if (typeof info.txnId !== "string" || !count(info.rows) || !count(info.partitions)) {
    return "pond's commit info lacks its transaction id or counts";
  }
  if (info.message !== undefined && typeof info.message !== "string") {
    return "the commit message is not a string";
  }
  const meta = info.meta;
  const strings = (m: object) => Object.values(m).every((v) => typeof v === "string");
  if (meta !== undefined && (typeof meta !== "object" || meta === null || !strings(meta))) {
    return "the commit's metadata is not a map of strings";
  }
  return undefined;
}

/** What a gap in the log is, for messages. */
export function describeGap(gap: LogGap): string {
  const missing =
    gap.next === gap.missing + 1
      ? `version ${gap.missing} is missing from the log`
      : `versions ${gap.missing} to ${gap.next - 1} are missing from the log`;
  return `${missing} while version ${gap.next} is there`;
}

export interface TableVersionInfo {
  version: number;
  /** Delta's own commit time (epoch ms). */
  timestamp: number;
  /** Delta's name for what the version did, e.g. WRITE, OPTIMIZE, SET TBLPROPERTIES. */
  operation?: string;
  /** The version its writer had read: the one before, unless another writer was first and it retried. */
  readVersion?: number;
  pond?: PondCommitInfo;
}

export const TABLE_PROPERTIES: Record<string, string> = {
  "pond.format": "1",
  "delta.checkpointInterval": "100",
};

/**
 * A pond in a bucket checkpoints every 10 versions, Delta's usual interval: opening it reads
 * each log entry after the checkpoint with a request of its own.
 */
const BUCKET_TABLE_PROPERTIES: Record<string, string> = {
  ...TABLE_PROPERTIES,
  "delta.checkpointInterval": "10",
};

/**
 * Where a location puts the table: a host directory (a path or a `file://` URL) or, as given, an
 * `s3://bucket/prefix` URL. Any other URL is ENOTSUP rather than a relative directory named
 * after its scheme.
 */
function tableRoot(location: string): string {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return location;
  if (scheme === "s3") return location;
  if (scheme === "file") {
    try {
      return fileURLToPath(location);
    } catch {
      throw new PondError("EINVAL", "not a file URL of this host", { path: location });
    }
  }
  throw new PondError(
    "ENOTSUP",
    `the op-log keeps a pond in a host directory or at s3://bucket/prefix, not at ${scheme}:// locations`,
    {
      path: location,
    },
  );
}

export class OpLogTable {
  private constructor(
    private readonly inner: NativeTable,
    /** The table root: a host directory, or an `s3://bucket/prefix` URL. */
    readonly root: string,
    /** The bucket's settings (credentials included): kept for reopening, never shown. */
    private readonly storageOptions: Record<string, string>,
  ) {}

  static async create(
    location: string,
    properties: Record<string, string> = {},
    storageOptions: Record<string, string> = {},
  ): Promise<OpLogTable> {
    const root = tableRoot(location);
    const defaults = /^s3:\/\//i.test(root) ? BUCKET_TABLE_PROPERTIES : TABLE_PROPERTIES;
    const inner = await native(() =>
      NativeTable.create(root, { ...defaults, ...properties }, storageOptions),
    );
    return new OpLogTable(inner, root, storageOptions);
  }

  static async open(
    location: string,
    version?: number,
    storageOptions: Record<string, string> = {},
  ): Promise<OpLogTable> {
    const root = tableRoot(location);
    const inner = await native(() => NativeTable.open(root, version ?? null, storageOptions));
    return new OpLogTable(inner, root, storageOptions);
  }

  /** The same table opened again, at `version` or its newest. */
  reopen(version?: number): Promise<OpLogTable> {
    return OpLogTable.open(this.root, version, this.storageOptions);
  }

  /** Whether the table is in a bucket, where its large files go through the engine. */
  get inBucket(): boolean {
    return this.inner.inBucket();
  }

  putLargeFile(name: string, content: Uint8Array): Promise<void> {
    return native(() =>
      this.inner.putLargeFile(
        name,
        Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      ),
    );
  }

  readLargeFile(name: string): Promise<Buffer | null> {
    return native(() => this.inner.readLargeFile(name));
  }

  /** Every object of a table in a bucket: path inside the table, size, last modified (ms). */
  storedObjects(): Promise<StoredObject[]> {
    return native(() => this.inner.storedObjects());
  }

  /** The loaded table version. */
  get version(): number {
    return this.inner.version();
  }

  /**
   * Versions missing from the log after the newest one this open could read while a later one
   * is there (looking a checkpoint interval further): undefined when none was seen, and for a
   * table opened at an older version.
   */
  logGap(): LogGap | undefined {
    try {
      return this.inner.logGap() ?? undefined;
    } catch (error) {
      throw fromNative(error);
    }
  }

  /** Every run of versions missing from the log between its oldest version and its newest entry. */
  logGaps(): Promise<LogGap[]> {
    return native(() => this.inner.logGaps());
  }

  properties(): Record<string, string> {
    return this.inner.properties();
  }

  /** Moves to the newest version; returns it. */
  update(): Promise<number> {
    return native(() => this.inner.update());
  }

  /**
   * Commits rows as exactly `version`; false when another writer took that
   * version first (nothing is written then).
   */
  async commit(rows: readonly OpLogRow[], version: number, info: PondCommitInfo): Promise<boolean> {
    const encoded = encodeRows(rows);
    try {
      await native(() =>
        this.inner.commit(encoded.rows, encoded.contents, version, JSON.stringify({ pond: info })),
      );
      return true;
    } catch (error) {
      if (isVersionExists(error)) return false;
      throw error;
    }
  }

  /**
   * Rows of one partition at the loaded version, optionally of one node only. A row that is not
   * valid is CORRUPT, or, given `invalid`, handed to it and left out.
   */
  async scan(
    partId: string,
    nodeId?: string,
    invalid?: (found: InvalidRow) => void,
  ): Promise<OpLogRow[]> {
    return decodeRows(
      await native(() => this.inner.scanPartition(partId, nodeId ?? null)),
      invalid,
    );
  }

  /** Rows of one partition at the loaded version without their contents (content is null). */
  async scanMetadata(partId: string): Promise<OpLogRow[]> {
    return decodeRows(
      await native(() => this.inner.scanPartition(partId, null, { skipContents: true })),
    );
  }

  /**
   * The rows of the row groups that may hold node `nodeId` in partition `partId`: its own rows
   * and those stored beside them, which cost nothing more to decode.
   */
  async scanNeighbours(partId: string, nodeId: string): Promise<OpLogRow[]> {
    return decodeRows(
      await native(() => this.inner.scanPartition(partId, nodeId, { neighbours: true })),
    );
  }

  /**
   * Node `nodeId`'s rows of partition `partId` from its newest row whose attrs equal `marker`
   * onward (all of them when none is; its two newest rows when `marker` is null): reads only
   * the files newer than that row.
   */
  async scanTail(partId: string, nodeId: string, marker: string | null): Promise<OpLogRow[]> {
    return decodeRows(await native(() => this.inner.scanNodeTail(partId, nodeId, marker)));
  }

  /** The rows one version added, file contents left out (directory records keep theirs). */
  async rowsOf(version: number): Promise<OpLogRow[]> {
    return decodeRows(await native(() => this.inner.readVersion(version)));
  }

  /**
   * Starts `sql` over `tables`: sources naming a row or a large file are read from this table,
   * the others from `contents`.
   */
  query(sql: string, tables: QueryTableSpec[], contents: Uint8Array[]): Promise<NativeQuery> {
    return native(() => this.inner.query(sql, tables, contents));
  }

  async history(): Promise<TableVersionInfo[]> {
    const raw = JSON.parse(await native(() => this.inner.history())) as Array<{
      version: number;
      timestamp: unknown;
      info?: Record<string, unknown>;
    }>;
    return raw.map((entry) => {
      const problem = commitInfoProblem(entry.timestamp, entry.info?.pond);
      if (problem) {
        throw new PondError("CORRUPT", `the log entry of version ${entry.version}: ${problem}`);
      }
      const pond = entry.info?.pond as PondCommitInfo | undefined;
      const operation = entry.info?.operation;
      const readVersion = entry.info?.readVersion;
      return {
        version: entry.version,
        timestamp: (entry.timestamp as number | null | undefined) ?? 0,
        ...(typeof operation === "string" && { operation }),
        ...(typeof readVersion === "number" && { readVersion }),
        ...(pond && { pond }),
      };
    });
  }

  checkpoint(): Promise<void> {
    return native(() => this.inner.checkpoint());
  }

  /** Waits for the checkpoint a commit started (commits do not wait for theirs). */
  settleCheckpoint(): Promise<void> {
    return native(() => this.inner.settleCheckpoint());
  }

  /**
   * Rewrites each partition with at least `minFiles` data files as a few files sorted by
   * (node, version), as exactly `version`: an OPTIMIZE that changes no data. False when another
   * writer took that version first (nothing is written then).
   */
  async compact(version: number, options: CompactOptions = {}): Promise<CompactResult | false> {
    try {
      return await native(() => this.inner.compact(version, options));
    } catch (error) {
      if (isVersionExists(error)) return false;
      throw error;
    }
  }

  /** Files, bytes and rows of each partition at the loaded version, sorted by partId. */
  partitionStats(): Promise<PartitionStats[]> {
    return native(() => this.inner.partitionStats());
  }

  /** Every row of every partition at the loaded version. */
  async scanAll(): Promise<OpLogRow[]> {
    return decodeRows(await native(() => this.inner.scanAll()));
  }

  /** Every add or remove of the retained log that names no data file of the table. */
  logActionProblems(): Promise<LogActionProblem[]> {
    return native(() => this.inner.logActionProblems());
  }

  /** Every data file the retained log adds, up to the newest version on disk. */
  dataFiles(): Promise<DataFileEntry[]> {
    return native(() => this.inner.dataFiles());
  }

  /**
   * Deletes the data files no version after the horizon needs and those no log entry names
   * (failed commits); never the log or large files.
   */
  vacuum(options: VacuumOptions): Promise<VacuumResult> {
    return native(() => this.inner.vacuum(options));
  }

  /**
   * Deletes the log before `beforeVersion` (after making sure a checkpoint of it exists); it
   * becomes the oldest version that can be loaded.
   */
  cleanupLog(beforeVersion: number): Promise<LogCleanupResult> {
    return native(() => this.inner.cleanupLog(beforeVersion));
  }

  /** The oldest version that can still be loaded. */
  oldestVersion(): Promise<number> {
    return native(() => this.inner.oldestVersion());
  }

  /**
   * Merges `pond.*` properties (and `delta.checkpointInterval`) into the table configuration as
   * exactly `version`; false when another writer took that version first.
   */
  async setProperties(properties: Record<string, string>, version: number): Promise<boolean> {
    try {
      await native(() => this.inner.setProperties(properties, version));
      return true;
    } catch (error) {
      if (isVersionExists(error)) return false;
      throw error;
    }
  }

  /** What this handle's scans read and skipped since it was opened. */
  scanStats(): ScanStats {
    try {
      return this.inner.scanStats();
    } catch (error) {
      throw fromNative(error);
    }
  }

  close(): void {
    this.inner.close();
  }
}
