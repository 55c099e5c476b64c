// Large files of a pond in a bucket: the same `_large_files/sha256=…` layout as a local pond's,
// put and read through the engine's object store. Each is held in memory whole while it is
// written or read; one a transaction stored and did not commit stays, unnamed by any version.

import { createHash } from "node:crypto";
import { PondError } from "@pond/tinyfs";
import type { StoredContent } from "@pond/tinyfs/backend";
import { LARGE_FILE_THRESHOLD, LARGE_FILES_DIR, largeFileRef } from "./large-files.js";
import type { OpLogTable } from "./table.js";

const nameOf = (ref: string) => ref.slice(LARGE_FILES_DIR.length + 1);

/** Stores `content`, whose digest is `sha256`, under its address; returns the ref. */
export async function storeInBucket(
  table: OpLogTable,
  sha256: string,
  content: Uint8Array,
): Promise<string> {
  const ref = largeFileRef(sha256);
  await table.putLargeFile(nameOf(ref), content);
  return ref;
}

/** Consumes a stream: small content stays a row's, the rest is stored as a large file. */
export async function storeInBucketFrom(
  table: OpLogTable,
  source: AsyncIterable<Uint8Array>,
): Promise<StoredContent> {
  const hash = createHash("sha256");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    chunks.push(chunk);
    size += chunk.length;
  }
  const sha256 = hash.digest("hex");
  const bytes = Buffer.concat(chunks);
  if (size < LARGE_FILE_THRESHOLD) return { size, sha256, bytes };
  return { size, sha256, ref: await storeInBucket(table, sha256, bytes) };
}

/** A large file's bytes, checked against its row's size and sha256 (CORRUPT otherwise). */
export async function openInBucket(
  table: OpLogTable,
  ref: string,
  sha256: string,
  size: number,
): Promise<Uint8Array> {
  const where = `${table.root}/${ref}`;
  const bytes = await table.readLargeFile(nameOf(ref));
  if (!bytes) throw new PondError("CORRUPT", `large file missing: ${where}`);
  if (bytes.length !== size || createHash("sha256").update(bytes).digest("hex") !== sha256) {
    throw new PondError("CORRUPT", `large file does not match its size and sha256: ${where}`);
  }
  return bytes;
}
