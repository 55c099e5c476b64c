// The delta-rs Python package in a virtual environment of its own, installed on first use.

import { execFileSync } from "node:child_process";
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
