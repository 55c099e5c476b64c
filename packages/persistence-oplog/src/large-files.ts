// Content-addressed storage of large file versions under the table root.

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, type FileHandle, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { PondError, sha256Hex } from "@pond/tinyfs";

/** Files of at least this many bytes are stored outside the table. */
export const LARGE_FILE_THRESHOLD = 64 * 1024;

export const LARGE_FILES_DIR = "_large_files";

export function largeFileRef(sha256: string): string {
  return `${LARGE_FILES_DIR}/sha256=${sha256}`;
}

/**
 * Writes content under its sha256: to a temporary name, fsynced, then renamed,
 * so a reader never sees a partial file. Content already there is written again
 * rather than trusted: the fresh file is what keeps maintenance, which reclaims
 * old unreferenced files, away from it until the transaction commits.
 */
export async function storeLargeFile(
  root: string,
  sha256: string,
  content: Uint8Array,
): Promise<string> {
  const ref = largeFileRef(sha256);
  const path = join(root, ref);
  const dir = join(root, LARGE_FILES_DIR);
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

/** Content taken from a stream: inline bytes when small, else stored under `contentRef`. */
export interface StreamedContent {
  size: number;
  sha256: string;
  content?: Uint8Array;
  contentRef?: string;
}

/**
 * Consumes a stream, hashing as it goes. Small content stays in memory; once
 * it reaches the threshold it goes to a temporary file, which is fsynced and
 * renamed to its content address at the end.
 */
export async function storeLargeFileFrom(
  root: string,
  source: AsyncIterable<Uint8Array>,
): Promise<StreamedContent> {
  const hash = createHash("sha256");
  const small: Uint8Array[] = [];
  let size = 0;
  let handle: FileHandle | undefined;
  let temp: string | undefined;
  const dir = join(root, LARGE_FILES_DIR);
  try {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      if (!handle) {
        small.push(chunk);
        if (size < LARGE_FILE_THRESHOLD) continue;
        await mkdir(dir, { recursive: true });
        temp = join(dir, `incoming-${randomBytes(8).toString("hex")}.tmp`);
        handle = await open(temp, "wx");
        for (const part of small.splice(0)) await handle.write(part);
        continue;
      }
      await handle.write(chunk);
    }
    const sha256 = hash.digest("hex");
    if (!handle) return { size, sha256, content: Buffer.concat(small) };
    await handle.sync();
    await handle.close();
    handle = undefined;
    const ref = largeFileRef(sha256);
    await rename(temp as string, join(root, ref));
    temp = undefined;
    await syncDirectory(dir);
    return { size, sha256, contentRef: ref };
  } catch (error) {
    throw PondError.is(error)
      ? error
      : new PondError("EIO", `cannot store a large file in ${dir}`, { cause: error });
  } finally {
    await handle?.close().catch(() => undefined);
    if (temp) await rm(temp, { force: true });
  }
}

/** A large file as a web stream that errors with CORRUPT if its bytes do not match their sha256. */
export async function openLargeFile(
  root: string,
  ref: string,
  sha256: string,
): Promise<ReadableStream<Uint8Array>> {
  const path = join(root, ref);
  await access(path).catch((error: unknown) => {
    throw new PondError("CORRUPT", `large file missing or unreadable: ${path}`, { cause: error });
  });
  const hash = createHash("sha256");
  const file = Readable.toWeb(
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
  ) as ReadableStream<Uint8Array>;
  const check = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (hash.digest("hex") !== sha256) {
        controller.error(new PondError("CORRUPT", `large file does not match its sha256: ${path}`));
      }
    },
  });
  return file.pipeThrough(check);
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
