// The delta-rs Python package in a virtual environment of its own, installed on first use.

import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { deltalakePython as deltalakeIn, type S3Server, startS3Server } from "@pond/delta-python";

const VENV = fileURLToPath(new URL("../../.venv", import.meta.url));

/** The package's venv python with `deltalake` and `pyarrow`, creating it if needed. */
export function deltalakePython(): string {
  return deltalakeIn(VENV);
}

/** A SeaweedFS S3 server installed into the same venv (see @pond/delta-python). */
export function startTestS3Server(): Promise<S3Server> {
  return startS3Server(VENV);
}

/**
 * The table at `url` in `server`'s bucket as the delta-rs Python package reads it: its version
 * and row count. Throws with Python's stderr when it cannot.
 */
export function readBucketWithDeltalake(
  url: string,
  server: S3Server,
): { version: number; rows: number } {
  const script = [
    "import sys, json, os, deltalake",
    "t = deltalake.DeltaTable(sys.argv[1], storage_options=json.loads(sys.argv[2]))",
    "print(json.dumps({'version': t.version(), 'rows': t.to_pyarrow_table().num_rows}), flush=True)",
    "os._exit(0)",
  ].join("\n");
  const options = {
    ...server.storageOptions,
    aws_conditional_put: "etag",
    aws_s3_allow_unsafe_rename: "true",
  };
  const run = spawnSync(deltalakePython(), ["-c", script, url, JSON.stringify(options)], {
    encoding: "utf8",
  });
  if (!/^\{.*\}\n$/.test(run.stdout)) {
    throw new Error(`deltalake could not read ${url}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as { version: number; rows: number };
}

/** A row as `append_rows.py` takes it: the table's columns, content as hex, time in µs. */
export interface PythonRow {
  part_id: string;
  node_id: string;
  entry_type: string;
  version: number;
  txn_seq?: number;
  timestamp: number;
  content?: string | null;
  content_ref?: string | null;
  size: number;
  sha256: string;
  attrs?: string | null;
}

/** Appends rows to the table at `tablePath` as another Delta writer would; returns the version committed. */
export function appendWithDeltalake(tablePath: string, rows: PythonRow[]): number {
  const script = fileURLToPath(new URL("./append_rows.py", import.meta.url));
  const out = execFileSync(deltalakePython(), [script, tablePath], {
    input: JSON.stringify(rows),
  });
  return (JSON.parse(out.toString()) as { version: number }).version;
}

export function readWithDeltalake(tablePath: string): unknown {
  const script = fileURLToPath(new URL("./read_with_deltalake.py", import.meta.url));
  const out = execFileSync(deltalakePython(), [script, tablePath], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString());
}
