// The one error type pond throws, with a code callers can branch on.

export type PondErrorCode =
  | "ENOENT"
  | "EEXIST"
  | "ENOTDIR"
  | "EISDIR"
  | "ENOTEMPTY"
  | "ELOOP"
  | "EINVAL"
  | "EROFS"
  | "ENOTSUP"
  | "CONFLICT"
  | "CORRUPT"
  | "CLOSED"
  | "ENOSPC"
  | "EIO"
  /** A remote store did not answer in time (after retries). */
  | "ETIMEDOUT"
  /** A bug or an unexpected state inside pond (a panic in the native addon), not bad input. */
  | "INTERNAL";

const POND_ERROR = Symbol.for("@pond/tinyfs.PondError");

export interface PondErrorOptions {
  path?: string;
  cause?: unknown;
}

export class PondError extends Error {
  readonly code: PondErrorCode;
  /** The pond path (or host file) the error is about, when there is one. */
  readonly path?: string;
  /** The message without code and path. */
  readonly detail: string;
  readonly [POND_ERROR] = true;

  constructor(code: PondErrorCode, detail: string, options: PondErrorOptions = {}) {
    const where = options.path === undefined ? "" : `: ${options.path}`;
    super(`${code}: ${detail}${where}`, { cause: options.cause });
    this.name = "PondError";
    this.code = code;
    this.detail = detail;
    if (options.path !== undefined) this.path = options.path;
  }

  /** True for any PondError, even one from another copy of this package. */
  static is(error: unknown, code?: PondErrorCode): error is PondError {
    return (
      typeof error === "object" &&
      error !== null &&
      (error as Record<symbol, unknown>)[POND_ERROR] === true &&
      (code === undefined || (error as PondError).code === code)
    );
  }

  /** The same error reported against another path (the one the caller named). */
  withPath(path: string): PondError {
    if (this.path === path) return this;
    return new PondError(this.code, this.detail, { path, cause: this.cause });
  }
}
