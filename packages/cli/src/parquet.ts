// Joining a series' Parquet chunks into one file, for export.

import { PondError } from "@pond/tinyfs";
import type { DataType, Table, Vector } from "apache-arrow";
import { loadDerived } from "./derived.js";

/**
 * One Parquet file with the rows of every chunk, in order: a series' versions as a single file.
 * Chunks with different columns are joined on the union of their columns (first seen first),
 * a chunk's missing columns null; EINVAL when a column has different types in two chunks.
 */
export async function concatParquet(
  chunks: readonly Uint8Array[],
  path?: string,
): Promise<Uint8Array> {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const where = path === undefined ? {} : { path };
  const { readParquet, writeParquet } = await loadDerived();
  const tables: Table[] = [];
  for (const chunk of chunks) tables.push(await readParquet(chunk, path));
  const [first, ...rest] = tables;
  if (!first) throw new PondError("EINVAL", "no chunks to join", where);
  if (rest.every((table) => signature(table) === signature(first))) {
    return writeParquet(first.concat(...rest));
  }
  const types = new Map<string, DataType>();
  for (const table of tables) {
    for (const field of table.schema.fields) {
      const known = types.get(field.name);
      if (!known) types.set(field.name, field.type);
      else if (String(known) !== String(field.type)) {
        throw new PondError(
          "EINVAL",
          `column "${field.name}" has different types in the series' versions`,
          where,
        );
      }
    }
  }
  // Loaded here, not at the top: apache-arrow's hundreds of modules would slow every command's start.
  const { Table, vectorFromArray } = await import("apache-arrow");
  const aligned = tables.map((table) => {
    const columns: Record<string, Vector> = {};
    for (const [name, type] of types) {
      columns[name] =
        table.getChild(name) ?? vectorFromArray(new Array(table.numRows).fill(null), type);
    }
    return new Table(columns);
  });
  const [head, ...tail] = aligned as [Table, ...Table[]];
  return writeParquet(head.concat(...tail));
}

function signature(table: Table): string {
  return table.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join(",");
}
