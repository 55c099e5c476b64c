// The delta-rs Python package in a virtual environment, installed there on first use.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The python of the venv at `venv`, with `deltalake` and `pyarrow`, creating it if needed. */
export function deltalakePython(venv: string): string {
  const python = join(venv, "bin", "python");
  const works = () => {
    try {
      execFileSync(python, ["-c", "import deltalake, pyarrow"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(python) && works()) return python;
  execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  execFileSync(python, ["-m", "pip", "install", "--quiet", "deltalake>=1.0", "pyarrow"], {
    stdio: "inherit",
  });
  return python;
}

export { type S3Server, startS3Server, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./s3-server.js";
