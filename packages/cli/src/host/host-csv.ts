// A host CSV file's text as bytes, decompressed as its name says: .gz with zlib, .zst with fzstd.

import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { PondError } from "@pond/tinyfs";
import { HostError, onHost } from "../errors.js";

/**
 * Host bytes are read in pieces of this size, into one buffer used again and again: a new
 * buffer per piece, or text decoded from a piece of a mebibyte or more (an external string),
 * is memory outside the JavaScript heap that the collector frees late, a hundred mebibytes
 * and more behind on a large file.
 */
const PIECE_BYTES = 64 * 1024;

/** `name` without a trailing .csv, .csv.gz or .csv.zst (or .gz, .zst) and with .parquet. */
export function parquetName(name: string): string {
  const stem = name.replace(/(\.csv)?(\.gz|\.zst)?$/i, "");
  return `${stem === "" ? name : stem}.parquet`;
}

export interface HostCsv {
  hostPath: string;
  /** The name to report errors against. */
  display: string;
  /** Called with each piece's size in host (compressed) bytes, before it is decompressed. */
  onRead(bytes: number): void;
}

/**
 * The decompressed bytes of a host file: gzip for names ending in .gz, Zstandard for .zst, else
 * the bytes as they are. EINVAL for compressed data that is damaged or truncated. A piece is
 * valid only until the next is asked for.
 */
export function hostCsvBytes(file: HostCsv): AsyncIterable<Uint8Array> {
  const lower = file.hostPath.toLowerCase();
  if (lower.endsWith(".gz")) return gunzip(file);
  if (lower.endsWith(".zst")) return unzstd(file);
  return hostBytes(file);
}

async function* hostBytes(file: HostCsv): AsyncGenerator<Uint8Array> {
  const handle = await onHost(file.display, () => open(file.hostPath));
  try {
    const buffer = new Uint8Array(PIECE_BYTES);
    for (;;) {
      const { bytesRead } = await onHost(file.display, () => handle.read(buffer, 0, PIECE_BYTES));
      if (bytesRead === 0) return;
      file.onRead(bytesRead);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* gunzip(file: HostCsv): AsyncGenerator<Uint8Array> {
  // zlib keeps a piece after write() returns: it gets a copy.
  const copies = async function* () {
    for await (const piece of hostBytes(file)) yield piece.slice();
  };
  const gunzip = Readable.from(copies()).pipe(createGunzip({ chunkSize: PIECE_BYTES }));
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw damaged(error, file, "gzip");
  } finally {
    gunzip.destroy();
  }
}

async function* unzstd(file: HostCsv): AsyncGenerator<Uint8Array> {
  // fzstd, pure JavaScript: Node 20's zlib has no Zstandard. Loaded only for a .zst file.
  const { Decompress } = await import("fzstd");
  const out: Uint8Array[] = [];
  const decompress = new Decompress((chunk) => {
    out.push(chunk);
  });
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      decompress.push(chunk, final);
    } catch (error) {
      throw damaged(error, file, "Zstandard");
    }
  };
  for await (const chunk of hostBytes(file)) {
    push(chunk.slice(), false); // fzstd keeps what it cannot decode yet
    yield* out.splice(0);
  }
  push(new Uint8Array(0), true);
  yield* out.splice(0);
}

function damaged(error: unknown, file: HostCsv, format: string): unknown {
  if (PondError.is(error) || error instanceof HostError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PondError("EINVAL", `${file.display}: damaged ${format} data (${reason})`, {
    cause: error,
  });
}
