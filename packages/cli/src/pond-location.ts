// Which pond a command works on: --pond DIR, else $POND, else ./.pond.

import { isAbsolute, resolve } from "node:path";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

export const DEFAULT_POND_DIR = ".pond";
export const POND_ENV = "POND";

export interface PondLocation {
  /** The absolute directory of the pond. */
  path: string;
  /** The directory as the user named it, for messages. */
  display: string;
  /** Where the choice came from. */
  source: "option" | "environment" | "default";
}

export function pondLocation(option: string | undefined, io: CliIo): PondLocation {
  if (option !== undefined) {
    if (option === "") throw new UsageError("--pond needs a directory");
    return locate(option, "option", io.cwd);
  }
  const fromEnv = io.env[POND_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return locate(fromEnv, "environment", io.cwd);
  return locate(DEFAULT_POND_DIR, "default", io.cwd);
}

function locate(dir: string, source: PondLocation["source"], cwd: string): PondLocation {
  return { path: isAbsolute(dir) ? resolve(dir) : resolve(cwd, dir), display: dir, source };
}
