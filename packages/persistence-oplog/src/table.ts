// OpLogTable: the op-log Delta table, wrapping the native handle with pond's types and errors.

import { access } from "node:fs/promises";
import { join } from "node:path";
import { NativeTable } from "./native.js";
import { isVersionExists, native } from "./native-error.js";
import { decodeRows, encodeRows, type OpLogRow } from "./rows.js";

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

export interface TableVersionInfo {
  version: number;
  /** Delta's own commit time (epoch ms). */
  timestamp: number;
  pond?: PondCommitInfo;
}

export const TABLE_PROPERTIES: Record<string, string> = {
  "pond.format": "1",
  "delta.checkpointInterval": "100",
};

export class OpLogTable {
  private constructor(
    private readonly inner: NativeTable,
    /** The table root on disk. */
    readonly root: string,
  ) {}

  static async create(root: string, properties: Record<string, string> = {}): Promise<OpLogTable> {
    const inner = await native(() =>
      NativeTable.create(root, { ...TABLE_PROPERTIES, ...properties }),
    );
    return new OpLogTable(inner, root);
  }

  static async open(root: string, version?: number): Promise<OpLogTable> {
    const inner = await native(() => NativeTable.open(root, version ?? null));
    return new OpLogTable(inner, root);
  }

  /** The loaded table version. */
  get version(): number {
    return this.inner.version();
  }

  properties(): Record<string, string> {
    return this.inner.properties();
  }

  /**
   * Moves to the newest version; returns it. Delta versions are contiguous,
   * so when the next log entry does not exist there is nothing to load.
   */
  async update(): Promise<number> {
    const next = join(
      this.root,
      "_delta_log",
      `${String(this.version + 1).padStart(20, "0")}.json`,
    );
    if (
      !(await access(next).then(
        () => true,
        () => false,
      ))
    )
      return this.version;
    return native(() => this.inner.update());
  }

  /**
   * Commits rows as exactly `version`; false when another writer took that
   * version first (nothing is written then).
   */
  async commit(rows: readonly OpLogRow[], version: number, info: PondCommitInfo): Promise<boolean> {
    try {
      await native(() =>
        this.inner.commit(Buffer.from(encodeRows(rows)), version, JSON.stringify({ pond: info })),
      );
      return true;
    } catch (error) {
      if (isVersionExists(error)) return false;
      throw error;
    }
  }

  /** Rows of one partition at the loaded version, optionally of one node only. */
  async scan(partId: string, nodeId?: string): Promise<OpLogRow[]> {
    return decodeRows(await native(() => this.inner.scanPartition(partId, nodeId ?? null)));
  }

  /** The rows one version added. */
  async rowsOf(version: number): Promise<OpLogRow[]> {
    return decodeRows(await native(() => this.inner.readVersion(version)));
  }

  async history(): Promise<TableVersionInfo[]> {
    const raw = JSON.parse(await native(() => this.inner.history())) as Array<{
      version: number;
      timestamp: number;
      info?: Record<string, unknown>;
    }>;
    return raw.map((entry) => {
      const pond = entry.info?.pond as PondCommitInfo | undefined;
      return { version: entry.version, timestamp: entry.timestamp, ...(pond && { pond }) };
    });
  }

  checkpoint(): Promise<void> {
    return native(() => this.inner.checkpoint());
  }

  close(): void {
    this.inner.close();
  }
}
