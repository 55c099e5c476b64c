// The sql-derived-table and sql-derived-series kinds: one file, the result of SQL over tables
// that patterns of the pond name.

import { PondError } from "@pond/tinyfs";
import type { DerivedFile } from "../derived-file-manager.js";
import { SQL_DERIVED } from "../sql-derived.js";
import { checkPathPattern } from "./config-reader.js";
import type { DynamicKind } from "./dynamic-kind.js";
import { inputMatches } from "./input-patterns.js";

/** A sql-derived node's config. */
export interface SqlDerivedConfig {
  /** Table name to an absolute path or glob; a glob's matches are one table with `_path`. */
  patterns: Record<string, string>;
  /** SQL over the tables (default `SELECT * FROM source`). */
  query?: string;
}

const DEFAULT_QUERY = "SELECT * FROM source";
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function sqlDerivedKind(
  name: string,
  entryType: "file:table" | "file:series",
): DynamicKind<SqlDerivedConfig> {
  return {
    name,
    directory: false,

    config(raw, reader) {
      const c = reader.object(raw, [], ["patterns"], ["query"]);
      const patterns = reader.mapping(c.patterns, ["patterns"]);
      const tables = Object.keys(patterns);
      if (tables.length === 0) reader.fail(["patterns"], "must name at least one table");
      const checked: Record<string, string> = {};
      for (const table of tables) {
        if (!TABLE_NAME.test(table)) {
          reader.fail(["patterns", table], "a table name is letters, digits and _");
        }
        const pattern = reader.string(patterns[table], ["patterns", table]);
        checkPathPattern(reader, pattern, ["patterns", table]);
        checked[table] = pattern;
      }
      const query = reader.optionalString(c.query, ["query"]);
      if (query === undefined && checked.source === undefined) {
        reader.fail(
          ["query"],
          `missing (the default, ${DEFAULT_QUERY}, needs a pattern named source)`,
        );
      }
      return { patterns: checked, ...(query !== undefined && { query }) };
    },

    async outputs(config, { root, manager, path }) {
      return [
        {
          names: [],
          entryType,
          compute: async () => {
            // Stored files only, as every kind's inputs: a dynamic node reading one could read itself.
            const tables: Record<string, string | string[]> = {};
            const inputs: string[] = [];
            for (const [table, pattern] of Object.entries(config.patterns)) {
              const matches = (await inputMatches(root, pattern)).map((m) => m.path);
              if (matches.length === 0) {
                throw new PondError("ENOENT", `no file matches ${pattern} (table ${table})`, {
                  path,
                });
              }
              tables[table] = pattern.includes("*") ? matches : (matches[0] as string);
              inputs.push(...matches);
            }
            try {
              const [file] = await manager.derive(SQL_DERIVED, inputs, {
                tables,
                query: config.query ?? DEFAULT_QUERY,
                entryType,
              });
              return file as DerivedFile;
            } catch (error) {
              // The engine's message (bad SQL, an unknown table or column) against the node.
              if (PondError.is(error, "EINVAL") && error.path === undefined) {
                throw error.withPath(path);
              }
              throw error;
            }
          },
        },
      ];
    },
  };
}

export const sqlDerivedTableKind = sqlDerivedKind("sql-derived-table", "file:table");
export const sqlDerivedSeriesKind = sqlDerivedKind("sql-derived-series", "file:series");
