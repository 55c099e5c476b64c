// The one place where errors of the native addon, and of the host filesystem under the pond,
// become PondErrors.

import { PondError, type PondErrorCode } from "@pond/tinyfs";

const CODES: Record<string, PondErrorCode> = {
  ENOENT: "ENOENT",
  EEXIST: "EEXIST",
  EINVAL: "EINVAL",
  CORRUPT: "CORRUPT",
  CONFLICT: "CONFLICT",
  CLOSED: "CLOSED",
  ENOSPC: "ENOSPC",
  IO: "EIO",
  ENOTSUP: "ENOTSUP",
  ETIMEDOUT: "ETIMEDOUT",
  INTERNAL: "INTERNAL",
};

/** Host errno codes that mean a full disk (or quota): reported as ENOSPC, never hidden as EIO. */
const FULL = new Set(["ENOSPC", "EDQUOT"]);

/** A host filesystem error while storing or removing pond files: ENOSPC when the disk is full, else EIO. */
export function fromStorage(error: unknown, detail: string): PondError {
  if (PondError.is(error)) return error;
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  const code = typeof errno === "string" && FULL.has(errno) ? "ENOSPC" : "EIO";
  return new PondError(code, detail, { cause: error });
}

/** The native commit lost the race for its version: pond re-reads and retries. */
export const VERSION_EXISTS = "VERSION_EXISTS";

export function isVersionExists(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === VERSION_EXISTS;
}

export function fromNative(error: unknown): PondError {
  if (PondError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const pondCode = typeof code === "string" ? CODES[code] : undefined;
  return new PondError(pondCode ?? "EIO", message, { cause: error });
}

/** Runs a native call, mapping its errors. */
export async function native<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isVersionExists(error)) throw error;
    throw fromNative(error);
  }
}
