// The op-log addon's tests' common ground: op-log rows as its commit takes them, readers of
// what it returns, a populated table, and a fresh directory per test.

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Table, tableFromIPC } from "apache-arrow";
import { afterEach, beforeEach } from "vitest";
import { NativeTable } from "../native.js";
import { encodeRows } from "../rows.js";

/** A directory of its own for each test of the calling file, removed after it. */
export function useTempDir(): { readonly dir: string } {
  const state = { dir: "" };
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), "pond-oplog-native-"));
  });
  afterEach(async () => {
    // A checkpoint a test's last commit started may still be writing into the log, for long on a
    // loaded machine: removal is retried until it has finished.
    for (let waited = 0; ; waited += 200) {
      try {
        rmSync(state.dir, { recursive: true, force: true });
        return;
      } catch (error) {
        if (waited >= 60_000) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, 70_000);
  return state;
}

export interface Row {
  part: string;
  node: string;
  version?: number;
  content?: string | null;
}

/** Op-log rows as the addon's commit takes them: Arrow IPC, and the buffers of their contents. */
export function ipc(rows: Row[], txnSeq = 1): [Uint8Array, Uint8Array[]] {
  const encoded = encodeRows(
    rows.map((r) => ({
      partId: r.part,
      nodeId: r.node,
      entryType: "file:data",
      version: r.version ?? 1,
      txnSeq,
      timestamp: Date.UTC(2024, 0, 2, 3, 4, 5),
      content:
        r.content === null
          ? null
          : new TextEncoder().encode(r.content ?? `${r.node}@${r.version ?? 1}`),
      contentRef: null,
      size: 3,
      sha256: "ab".repeat(32),
      minEventTime: null,
      maxEventTime: null,
      attrs: null,
    })),
  );
  return [encoded.rows, encoded.contents];
}

export function rowsOf(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}

export function pairs(table: Table): string[] {
  const out: string[] = [];
  for (const row of table) {
    out.push(`${row.part_id}/${row.node_id}@${row.version}`);
  }
  return out.sort();
}

export function info(message: string): string {
  return JSON.stringify({ message, txnId: `txn-${message}` });
}

export function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith("part_id=")) {
      for (const f of readdirSync(join(dir, entry.name))) {
        if (f.endsWith(".parquet")) out.push(join(entry.name, f));
      }
    }
  }
  return out.sort();
}

export async function codeOf(
  promise: Promise<unknown> | (() => unknown),
): Promise<{ code?: string; message: string }> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { code: err.code, message: err.message };
  }
  throw new Error("expected a failure");
}

/** Every column of every row, content as hex, sorted: equal when the rows are byte-identical. */
export function fullRows(table: Table): string[] {
  const out: string[] = [];
  for (const row of table) {
    const value = row.toJSON() as Record<string, unknown>;
    const content = value.content as Uint8Array | null;
    out.push(
      JSON.stringify(
        { ...value, content: content === null ? null : Buffer.from(content).toString("hex") },
        (_, v) => (typeof v === "bigint" ? v.toString() : v),
      ),
    );
  }
  return out.sort();
}

export function logEntries(path: string): string[] {
  return readdirSync(join(path, "_delta_log")).sort();
}

export function entryName(version: number, suffix = "json"): string {
  return `${String(version).padStart(20, "0")}.${suffix}`;
}

/** Three partitions, the odd-named one included, with several versions of some nodes. */
export async function populated(path: string, properties: Record<string, string> = {}) {
  const table = await NativeTable.create(path, properties);
  const commits: Row[][] = [
    [
      { part: "p1", node: "b" },
      { part: "p2", node: "x" },
      { part: "odd part/%", node: "o" },
    ],
    [
      { part: "p1", node: "a" },
      { part: "p1", node: "b", version: 2, content: null },
    ],
    [
      { part: "p1", node: "c" },
      { part: "odd part/%", node: "o", version: 2 },
    ],
    [
      { part: "p1", node: "a", version: 2 },
      { part: "p2", node: "y" },
    ],
  ];
  for (const [i, rows] of commits.entries()) {
    await table.commit(...ipc(rows, i + 1), i + 1, info(`${i + 1}`));
  }
  return table;
}
