// Joining a series' Parquet chunks into one file, for export.

import { PondError } from "@pond/tinyfs";
import type { Table } from "apache-arrow";
import { loadDerived } from "./derived.js";

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
  const { readParquet, writeParquet } = await loadDerived();
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
