// Content-addressed storage of large file versions under the table root.

import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { PondError } from "@pond/tinyfs";
import type { StoredContent } from "@pond/tinyfs/backend";
import { openRegular, realDirectory } from "./confined.js";
import type { LargeFileClaims } from "./large-file-claims.js";
import { fromStorage } from "./native-error.js";

/** Files of at least this many bytes are stored outside the table. */
export const LARGE_FILE_THRESHOLD = 64 * 1024;

export const LARGE_FILES_DIR = "_large_files";

export function largeFileRef(sha256: string): string {
  return `${LARGE_FILES_DIR}/sha256=${sha256}`;
}

/** Which file a path names: device and inode, as the file system reports them. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** A large file a transaction stored: its ref, and its identity when this write created it. */
export interface StoredLargeFile {
  ref: string;
  /** Absent when the content was there already (committed, or another writer's): never ours to take back. */
  created?: FileIdentity;
}

/** `_large_files` as a real directory (made if missing); CORRUPT when it is a link. */
async function largeFilesDir(root: string): Promise<string> {
  const dir = join(root, LARGE_FILES_DIR);
  if (await realDirectory(dir)) return dir;
  await mkdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  await realDirectory(dir);
  return dir;
}

/**
 * Moves a written and synced temporary file to its content address. A hard link claims the
 * address only if nothing is there, which tells a file this write created (it may be taken back)
 * from content that was there already; that one is replaced by the fresh file all the same: the
 * fresh file is what keeps maintenance, which reclaims old unreferenced files, away from it
 * until the transaction commits.
 */
async function place(
  temp: string,
  root: string,
  sha256: string,
  identity: FileIdentity,
): Promise<StoredLargeFile> {
  const ref = largeFileRef(sha256);
  const path = join(root, ref);
  try {
    await link(temp, path);
    await unlink(temp);
    return { ref, created: identity };
  } catch (error) {
    // EEXIST, or a file system without hard links: replaced, and never taken back.
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") throw error;
    await rename(temp, path);
    return { ref };
  }
}

async function identityOf(handle: FileHandle): Promise<FileIdentity> {
  const { dev, ino } = await handle.stat({ bigint: true });
  return { dev, ino };
}

/**
 * Writes content under its sha256 for a transaction, which `claims` keeps: to a temporary name,
 * fsynced, then moved to its address, so a reader never sees a partial file. Content the
 * transaction created already is not written again. Returns the ref.
 */
export async function storeLargeFile(
  root: string,
  sha256: string,
  content: Uint8Array,
  claims: LargeFileClaims,
): Promise<string> {
  const ref = largeFileRef(sha256);
  if (claims.created(ref)) return ref;
  const dir = await largeFilesDir(root);
  const path = join(root, ref);
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx");
    let identity: FileIdentity;
    try {
      await handle.writeFile(content);
      await handle.sync();
      identity = await identityOf(handle);
    } finally {
      await handle.close();
    }
    claims.note(await place(temp, root, sha256, identity));
    await syncDirectory(dir);
    return ref;
  } catch (error) {
    await rm(temp, { force: true });
    throw fromStorage(error, `cannot store large file ${path}`);
  }
}

/**
 * Consumes a stream, hashing as it goes. Small content stays in memory; once
 * it reaches the threshold it goes to a temporary file, which is fsynced and
 * moved to its content address at the end (for a transaction, as {@link storeLargeFile}).
 */
export async function storeLargeFileFrom(
  root: string,
  source: AsyncIterable<Uint8Array>,
  claims: LargeFileClaims,
): Promise<StoredContent> {
  const hash = createHash("sha256");
  const small: Uint8Array[] = [];
  let size = 0;
  let handle: FileHandle | undefined;
  let temp: string | undefined;
  let dir = join(root, LARGE_FILES_DIR);
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (handle) {
        // The write runs on libuv's thread pool while this thread hashes the same bytes.
        const written = handle.write(chunk);
        hash.update(chunk);
        await written;
        continue;
      }
      hash.update(chunk);
      small.push(chunk);
      if (size < LARGE_FILE_THRESHOLD) continue;
      dir = await largeFilesDir(root);
      temp = join(dir, `incoming-${randomBytes(8).toString("hex")}.tmp`);
      handle = await open(temp, "wx");
      for (const part of small.splice(0)) await handle.write(part);
    }
    const sha256 = hash.digest("hex");
    if (!handle) return { size, sha256, bytes: Buffer.concat(small) };
    await handle.sync();
    const identity = await identityOf(handle);
    await handle.close();
    handle = undefined;
    const ref = largeFileRef(sha256);
    if (!claims.created(ref)) {
      claims.note(await place(temp as string, root, sha256, identity));
      temp = undefined;
      await syncDirectory(dir);
    }
    return { size, sha256, ref };
  } catch (error) {
    throw fromStorage(error, `cannot store a large file in ${dir}`);
  } finally {
    await handle?.close().catch(() => undefined);
    if (temp) await rm(temp, { force: true });
  }
}

/**
 * Takes back a large file its transaction created and did not commit, if it is still the file
 * that transaction wrote. Contents are content-addressed, so the same file may serve a committed
 * version or another writer; the rule that keeps those safe: a transaction takes back only a
 * file it created (no file was at the address: see {@link place}) and that nobody replaced since
 * (same inode). Every other writer of the same content replaces the file with its own before it
 * commits, so a file still ours serves nobody else, and a committed version refers to it only if
 * its writer replaced it. The file is moved aside before it is looked at, so that a writer
 * replacing it meanwhile is never deleted; one not ours goes back.
 */
export async function takeBackLargeFile(root: string, stored: StoredLargeFile): Promise<void> {
  const created = stored.created;
  if (!created) return;
  const dir = join(root, LARGE_FILES_DIR);
  if (!(await realDirectory(dir))) return;
  const path = join(root, stored.ref);
  const aside = join(dir, `.take-back-${randomBytes(6).toString("hex")}`);
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const handle = await openRegular(aside);
  const identity = handle && (await identityOf(handle));
  await handle?.close();
  if (identity && (identity.dev !== created.dev || identity.ino !== created.ino)) {
    // Another writer's: back where it was, unless a newer one took the address meanwhile.
    await link(aside, path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    });
  }
  await unlink(aside);
}

/** A large file's bytes as far as its row's size, plus one to tell a longer file; CORRUPT otherwise. */
async function openStored(root: string, ref: string, size: number): Promise<FileHandle> {
  const path = join(root, ref);
  const handle = (await realDirectory(join(root, LARGE_FILES_DIR)))
    ? await openRegular(path)
    : undefined;
  if (!handle) throw new PondError("CORRUPT", `large file missing: ${path}`);
  const actual = (await handle.stat()).size;
  if (actual !== size) {
    await handle.close();
    throw new PondError("CORRUPT", `large file holds ${actual} bytes, not ${size}: ${path}`);
  }
  return handle;
}

/**
 * A large file as a web stream that errors with CORRUPT if its bytes do not match their size and
 * sha256. It never reads more than the size its row claims, plus one byte.
 */
export async function openLargeFile(
  root: string,
  ref: string,
  sha256: string,
  size: number,
): Promise<ReadableStream<Uint8Array>> {
  const path = join(root, ref);
  const handle = await openStored(root, ref, size);
  const hash = createHash("sha256");
  let read = 0;
  const file = Readable.toWeb(
    handle.createReadStream({ start: 0, end: size, highWaterMark: 1024 * 1024 }),
  ) as ReadableStream<Uint8Array>;
  const check = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      read += chunk.length;
      if (read > size) {
        controller.error(new PondError("CORRUPT", `large file grew past ${size} bytes: ${path}`));
        return;
      }
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (read !== size || hash.digest("hex") !== sha256) {
        controller.error(
          new PondError("CORRUPT", `large file does not match its size and sha256: ${path}`),
        );
      }
    },
  });
  return file.pipeThrough(check);
}

/** The size and sha256 of a large file, read at most to its row's size plus one byte; undefined when missing. */
export async function hashLargeFile(
  root: string,
  ref: string,
  size: number,
): Promise<{ size: number; sha256: string } | undefined> {
  if (!(await realDirectory(join(root, LARGE_FILES_DIR)))) return undefined;
  const handle = await openRegular(join(root, ref));
  if (!handle) return undefined;
  const hash = createHash("sha256");
  let read = 0;
  try {
    for await (const chunk of handle.createReadStream({
      start: 0,
      end: size,
      highWaterMark: 1 << 20,
      autoClose: false,
    })) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
  } finally {
    await handle.close();
  }
  return { size: read, sha256: hash.digest("hex") };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
