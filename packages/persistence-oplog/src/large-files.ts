// Content-addressed storage of large file versions under the table root.

import { randomBytes } from "node:crypto";
import { access, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { PondError, sha256Hex } from "@pond/tinyfs";

/** Files of at least this many bytes are stored outside the table. */
export const LARGE_FILE_THRESHOLD = 64 * 1024;

export const LARGE_FILES_DIR = "_large_files";

export function largeFileRef(sha256: string): string {
  return `${LARGE_FILES_DIR}/sha256=${sha256}`;
}

/**
 * Writes content under its sha256 unless already there: to a temporary name,
 * fsynced, then renamed, so a reader never sees a partial file.
 */
export async function storeLargeFile(
  root: string,
  sha256: string,
  content: Uint8Array,
): Promise<string> {
  const ref = largeFileRef(sha256);
  const path = join(root, ref);
  const dir = join(root, LARGE_FILES_DIR);
  if (
    await access(path).then(
      () => true,
      () => false,
    )
  )
    return ref;
  await mkdir(dir, { recursive: true });
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(dir);
  } catch (error) {
    await rm(temp, { force: true });
    throw new PondError("EIO", `cannot store large file ${path}`, { cause: error });
  }
  return ref;
}

/** Reads a large file and checks its sha256: a mismatch is CORRUPT naming the file. */
export async function readLargeFile(
  root: string,
  ref: string,
  sha256: string,
): Promise<Uint8Array> {
  const path = join(root, ref);
  let content: Uint8Array;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new PondError("CORRUPT", `large file missing or unreadable: ${path}`, { cause: error });
  }
  if (sha256Hex(content) !== sha256) {
    throw new PondError("CORRUPT", `large file does not match its sha256: ${path}`);
  }
  return content;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
