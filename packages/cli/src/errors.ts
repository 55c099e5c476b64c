// The CLI's failures and the one line (plus exit status) each becomes on stderr.

import { PondError } from "@pond/tinyfs";
import { Interrupted } from "./interrupts.js";
import { escapeControls, quoteName } from "./output/quote.js";

/** Exit statuses: 1 for a failed command, 2 for a command line that could not be understood. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command line pond cannot understand: unknown command or option, missing or bad argument. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to hint at; undefined for pond's own. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure of the host filesystem, reported against the host path the user named. */
export class HostError extends Error {
  constructor(
    /** The errno name, e.g. ENOENT, EACCES. */
    readonly code: string,
    readonly path: string,
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${code}: ${path}: ${detail}`, options);
    this.name = "HostError";
  }
}

const DESCRIPTIONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ENOTEMPTY: "directory not empty",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

/** Wraps a Node fs error as a HostError about `path` (other errors pass through). */
export function hostError(error: unknown, path: string): unknown {
  if (error instanceof HostError || PondError.is(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return error;
  const message = error instanceof Error ? error.message : String(error);
  // Node's messages read "ENOENT: no such file or directory, open 'x'"; keep the middle.
  const detail = DESCRIPTIONS[code] ?? /^[A-Z]+: (.*?)(, \w+ '.*')?$/.exec(message)?.[1] ?? message;
  return new HostError(code, path, detail, { cause: error });
}

/** Runs a synchronous host filesystem call, reporting its failure against `path`. */
export function onHostSync<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw hostError(error, path);
  }
}

/** Runs a host filesystem call, reporting its failure against `path`. */
export async function onHost<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw hostError(error, path);
  }
}

export interface ErrorReport {
  /** The line for stderr, without the newline: `pond: CODE: PATH: message`. */
  line: string;
  exitCode: number;
}

/** How an error thrown by a command is shown, and the exit status it earns. */
export function reportError(error: unknown): ErrorReport {
  // Stopping may surface wrapped by the layer it stopped (a large file's EIO).
  const interrupted = interruption(error);
  if (interrupted) {
    return { line: formatLine("EINTR", undefined, interrupted.message), exitCode: EXIT_FAILURE };
  }
  if (error instanceof UsageError) {
    return { line: `pond: USAGE: ${error.message}`, exitCode: EXIT_USAGE };
  }
  if (PondError.is(error)) {
    return { line: formatLine(error.code, error.path, error.detail), exitCode: EXIT_FAILURE };
  }
  if (error instanceof HostError) {
    return { line: formatLine(error.code, error.path, error.detail), exitCode: EXIT_FAILURE };
  }

  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: formatLine(typeof code === "string" ? code : "INTERNAL", undefined, message),
    exitCode: EXIT_FAILURE,
  };
}

function interruption(error: unknown): Interrupted | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof Interrupted) return e;
  }
  return undefined;
}

function formatLine(code: string, path: string | undefined, detail: string): string {
  const oneLine = escapeControls(detail.replace(/\s*\n\s*/g, " "));
  if (path === undefined) return `pond: ${code}: ${oneLine}`;
  return `pond: ${code}: ${quoteName(path)}: ${oneLine}`;
}
