// Which pond a command works on: --pond DIR, else $POND, else ./.pond. A location may name its
// backend by scheme: `file:` (the op-log, as a plain path), `s3://bucket/prefix` (the op-log in a
// bucket), `journal:FILE`, `memory:NAME`.

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PondError } from "@pond/tinyfs";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import type { BackendScheme } from "./pond-backends.js";

export const DEFAULT_POND_DIR = ".pond";
export const POND_ENV = "POND";

export interface PondLocation {
  /** The backend that keeps the pond. */
  scheme: BackendScheme;
  /** The absolute directory (or journal file) of the pond; a memory pond's name. */
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

const SCHEME = /^(file|journal|memory):/;
/** Any URL: one whose scheme has no backend is refused, not taken for a relative directory. */
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

function locate(display: string, source: PondLocation["source"], cwd: string): PondLocation {
  const url = URL_SCHEME.exec(display)?.[1]?.toLowerCase();
  if (url === "s3") return { scheme: "s3", path: display, display, source };
  if (url !== undefined && url !== "file") {
    throw new PondError(
      "ENOTSUP",
      `pond has no backend for ${url}:// locations (it keeps ponds in a directory, file://, s3://bucket/prefix, journal:FILE or memory:NAME)`,
      { path: display },
    );
  }
  const scheme = (SCHEME.exec(display)?.[1] ?? "file") as BackendScheme;
  let rest = display.replace(SCHEME, "");
  if (rest === "") throw new UsageError(`${display}: the pond location names no path`);
  if (scheme === "memory") return { scheme, path: rest, display, source };
  if (scheme === "file" && rest.startsWith("//")) {
    try {
      rest = fileURLToPath(display);
    } catch {
      throw new UsageError(`${display}: not a file URL of this host`);
    }
  }
  return { scheme, path: isAbsolute(rest) ? resolve(rest) : resolve(cwd, rest), display, source };
}
