// sql-derived, a derived computation: the result of SQL over tables of the pond, as Parquet.

import { type FileEntryType, PondError } from "@pond/tinyfs";
import { TIMESTAMP_COLUMN_ATTR } from "./append-series-chunk.js";
import type { DerivedComputation } from "./derived-computation.js";
import { parquetFields } from "./parquet-io.js";
import { queryParquet } from "./query-parquet.js";
import { findTimestampColumn } from "./timestamp-column.js";

export const SQL_DERIVED = "sql-derived";

export interface SqlDerivedOptions {
  /**
   * The tables the query reads, as `fs.query` takes them: a path, or a list of paths (one table
   * with `_path`). Every path must also be an input, so that the result's key names its version.
   */
  tables: Record<string, string | readonly string[]>;
  query: string;
  /**
   * `file:table` (default), or `file:series`: then the result needs a time column (found as
   * downsampling finds one), recorded in its attrs as a series chunk records it.
   */
  entryType?: "file:table" | "file:series";
}

/** The query run by the source pond's own engine (`fs.query`), its result one Parquet file. */
export const sqlDerived: DerivedComputation = {
  name: SQL_DERIVED,
  inputs: { min: 1, max: Number.POSITIVE_INFINITY },

  parameters(options) {
    const request = options as SqlDerivedOptions;
    if (typeof request?.query !== "string" || request.query.trim() === "") {
      throw new PondError("EINVAL", "query must be SQL");
    }
    const tables = request.tables;
    if (typeof tables !== "object" || tables === null || Object.keys(tables).length === 0) {
      throw new PondError("EINVAL", "tables must name at least one table");
    }
    const entryType: FileEntryType = request.entryType ?? "file:table";
    if (entryType !== "file:table" && entryType !== "file:series") {
      throw new PondError("EINVAL", `entryType must be file:table or file:series`);
    }
    return [{ tables: { ...tables }, query: request.query, entryType }];
  },

  async compute({ inputs, params, sourceFs }) {
    const p = params[0] as Required<SqlDerivedOptions>;
    const paths = new Set(inputs.map((i) => i.path));
    for (const spec of Object.values(p.tables)) {
      for (const path of typeof spec === "string" ? [spec] : spec) {
        if (!paths.has(path)) throw new PondError("EINVAL", `table path ${path} is not an input`);
      }
    }
    const run = await sourceFs.queryStream(p.query, { tables: p.tables });
    const pieces: Uint8Array[] = [];
    for await (const piece of queryParquet(run)) pieces.push(piece);
    const data = concat(pieces);
    // The query resolved its tables after the manager pinned the inputs: were a version committed
    // in between, the result would be keyed by the older one. Versions only grow, so inputs still
    // as pinned now were as pinned then.
    const root = sourceFs.root();
    for (const input of inputs) {
      const now = await root.stat(input.path);
      if (now.nodeId !== input.nodeId || now.version !== input.version) {
        throw new PondError("CONFLICT", "the file changed while the query read it: read again", {
          path: input.path,
        });
      }
    }
    if (p.entryType === "file:table")
      return [{ data, extension: ".parquet", entryType: "file:table" }];
    // Without hints only an Arrow timestamp column is taken, which carries its own unit.
    const time = findTimestampColumn(await parquetFields(data), {});
    const attrs = { [TIMESTAMP_COLUMN_ATTR]: time.name };
    return [{ data, extension: ".parquet", entryType: "file:series", attrs }];
  },
};

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
