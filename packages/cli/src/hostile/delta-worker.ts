// The delta-rs Python package as a long-lived worker: crafted rows are appended, and a table's
// rows read, by another Delta writer than pond, paying for the package's import once.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { deltalakePython } from "@pond/delta-python";

const VENV = fileURLToPath(new URL("../../.venv", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./craft_rows.py", import.meta.url));

/** One directory record change, as `craft_rows.py` encodes it into Arrow IPC. */
export interface CraftedEntry {
  name: string;
  child_node_id: string | null;
  child_part_id: string | null;
  child_entry_type: string | null;
  op: string;
}

/**
 * A row to append, in the table's column names. `txn_seq` defaults to the version the row lands
 * in; `content` is base64; a directory record gives `changes` instead; `parquet` asks for a small
 * Parquet file of those columns as the content; sizes may be strings beyond 2^53.
 */
export interface CraftedRow {
  part_id: string;
  node_id: string;
  entry_type: string;
  version: number;
  txn_seq?: number;
  content?: string | null;
  changes?: CraftedEntry[];
  parquet?: Record<string, { type: "timestamp_ms" | "float64" | "string"; values: unknown[] }>;
  content_ref?: string | null;
  size: number | string;
  sha256?: string;
  min_event_time?: number | null;
  max_event_time?: number | null;
  attrs?: string | null;
}

/** A row as read back: everything but file contents; directory records with their changes. */
export interface StoredRow {
  part_id: string;
  node_id: string;
  entry_type: string;
  version: number;
  txn_seq: number;
  content_ref: string | null;
  size: number;
  sha256: string;
  attrs: string | null;
  changes: CraftedEntry[] | null;
}

export class DeltaWorker {
  private next = 0;
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>();
  private stderr = "";

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const answer = JSON.parse(line) as Record<string, unknown>;
      const id = answer.id as number;
      this.waiting.get(id)?.(answer);
      this.waiting.delete(id);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    child.on("exit", (code) => {
      for (const resolve of this.waiting.values()) {
        resolve({ error: `the Python worker exited (${code}): ${this.stderr}` });
      }
      this.waiting.clear();
    });
  }

  static start(): DeltaWorker {
    return new DeltaWorker(
      spawn(deltalakePython(VENV), [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] }),
    );
  }

  /** Appends each list of rows as one new version of the table; resolves to those versions. */
  async append(table: string, commits: CraftedRow[][]): Promise<number[]> {
    return (await this.request({ op: "append", table, commits })).versions as number[];
  }

  /** Every row of the table at its newest version, without file contents. */
  async rows(table: string): Promise<StoredRow[]> {
    return (await this.request({ op: "rows", table })).rows as StoredRow[];
  }

  close(): void {
    this.child.stdin.end();
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (answer) =>
        answer.error === undefined
          ? resolve(answer)
          : reject(new Error(`deltalake: ${String(answer.error)}`)),
      );
      this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }
}
