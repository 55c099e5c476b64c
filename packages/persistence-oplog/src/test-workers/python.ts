// The delta-rs Python package in a virtual environment of its own, installed on first use.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VENV = join(PACKAGE_ROOT, ".venv");
const PYTHON = join(VENV, "bin", "python");

/** The venv's python with `deltalake` and `pyarrow`, creating it if needed. */
export function deltalakePython(): string {
  const works = () => {
    try {
      execFileSync(PYTHON, ["-c", "import deltalake, pyarrow"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(PYTHON) && works()) return PYTHON;
  execFileSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
  execFileSync(PYTHON, ["-m", "pip", "install", "--quiet", "deltalake>=1.0", "pyarrow"], {
    stdio: "inherit",
  });
  return PYTHON;
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
