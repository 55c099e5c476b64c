// Parquet ↔ Arrow through parquet-wasm (loaded on first use), as @pond/derived reads and writes it.

import { PondError } from "@pond/tinyfs";
import { type Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";

let loading: Promise<typeof ParquetWasm> | undefined;

// Compiling the wasm module costs a moment: commands that never touch Parquet skip it.
function parquetWasm(): Promise<typeof ParquetWasm> {
  loading ??= import("parquet-wasm");
  return loading;
}

/** The Arrow table in a Parquet file; CORRUPT when it cannot be decoded. */
export async function readParquet(bytes: Uint8Array, path?: string): Promise<Table> {
  const pw = await parquetWasm();
  try {
    return tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new PondError("CORRUPT", `unreadable Parquet (${detail})`, {
      ...(path !== undefined && { path }),
      cause,
    });
  }
}

/** A Parquet file (Snappy-compressed) holding `table`. */
export async function writeParquet(table: Table): Promise<Uint8Array> {
  const pw = await parquetWasm();
  const properties = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, "stream")), properties);
}

/**
 * One Parquet file with the rows of every chunk, in order: a series' versions
 * as a single file. EINVAL when the chunks' schemas differ.
 */
export async function concatParquet(
  chunks: readonly Uint8Array[],
  path?: string,
): Promise<Uint8Array> {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const tables: Table[] = [];
  for (const chunk of chunks) tables.push(await readParquet(chunk, path));
  const [first, ...rest] = tables;
  if (!first)
    throw new PondError("EINVAL", "no chunks to join", path === undefined ? {} : { path });
  for (const table of rest) {
    if (signature(table) !== signature(first)) {
      throw new PondError("EINVAL", "the series' versions have different columns", {
        ...(path !== undefined && { path }),
      });
    }
  }
  return writeParquet(first.concat(...rest));
}

function signature(table: Table): string {
  return table.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join(",");
}
