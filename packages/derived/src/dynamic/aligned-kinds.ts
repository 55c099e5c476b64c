// The timeseries-join and timeseries-pivot kinds: one file of series matched by globs, side by side.

import type { DerivedFile } from "../derived-file-manager.js";
import { TIMESERIES_JOIN } from "../timeseries-join.js";
import { TIMESERIES_PIVOT } from "../timeseries-pivot.js";
import { type ConfigReader, checkPathPattern } from "./config-reader.js";
import type { DynamicKind } from "./dynamic-kind.js";
import { inputMatches, outputNames } from "./input-patterns.js";

/** A timeseries-join node's config. */
export interface TimeseriesJoinConfig {
  /** Each glob's matches are inputs; `scope` names their columns (`$0`... are the captures). */
  inputs: { in_pattern: string; scope: string }[];
  time_column?: string;
}

/** A timeseries-pivot node's config. */
export interface TimeseriesPivotConfig {
  in_pattern: string;
  /** The column taken from every input. */
  column: string;
  /** Each input's output column (default `$0`, the first capture). */
  name?: string;
  time_column?: string;
}

export const timeseriesJoinKind: DynamicKind<TimeseriesJoinConfig> = {
  name: "timeseries-join",
  directory: false,

  config(raw, reader) {
    const c = reader.object(raw, [], ["inputs"], ["time_column"]);
    const inputs = reader.list(c.inputs, ["inputs"], (value, keys) => {
      const input = reader.object(value, keys, ["in_pattern", "scope"]);
      const inPattern = reader.string(input.in_pattern, [...keys, "in_pattern"]);
      checkPathPattern(reader, inPattern, [...keys, "in_pattern"]);
      const scope = reader.string(input.scope, [...keys, "scope"]);
      checkName(reader, scope, inPattern, [...keys, "scope"]);
      return { in_pattern: inPattern, scope };
    });
    const timeColumn = reader.optionalString(c.time_column, ["time_column"]);
    return { inputs, ...(timeColumn !== undefined && { time_column: timeColumn }) };
  },

  async outputs(config, { root, manager }) {
    return [
      {
        names: [],
        entryType: "file:table",
        compute: async () => {
          const paths: string[] = [];
          const scopes: string[] = [];
          for (const input of config.inputs) {
            for (const match of await inputMatches(root, input.in_pattern)) {
              paths.push(match.path);
              scopes.push(outputNames(input.scope, match.captures, match.path).join("/"));
            }
          }
          const [file] = await manager.derive(TIMESERIES_JOIN, paths, {
            scopes,
            ...(config.time_column !== undefined && { timestampColumn: config.time_column }),
          });
          return file as DerivedFile;
        },
      },
    ];
  },
};

export const timeseriesPivotKind: DynamicKind<TimeseriesPivotConfig> = {
  name: "timeseries-pivot",
  directory: false,

  config(raw, reader) {
    const c = reader.object(raw, [], ["in_pattern", "column"], ["name", "time_column"]);
    const inPattern = reader.string(c.in_pattern, ["in_pattern"]);
    checkPathPattern(reader, inPattern, ["in_pattern"]);
    const column = reader.string(c.column, ["column"]);
    const name = reader.optionalString(c.name, ["name"]);
    checkName(reader, name ?? "$0", inPattern, ["name"]);
    const timeColumn = reader.optionalString(c.time_column, ["time_column"]);
    return {
      in_pattern: inPattern,
      column,
      ...(name !== undefined && { name }),
      ...(timeColumn !== undefined && { time_column: timeColumn }),
    };
  },

  async outputs(config, { root, manager }) {
    return [
      {
        names: [],
        entryType: "file:table",
        compute: async () => {
          const matches = await inputMatches(root, config.in_pattern);
          const names = matches.map((m) =>
            outputNames(config.name ?? "$0", m.captures, m.path).join("/"),
          );
          const [file] = await manager.derive(
            TIMESERIES_PIVOT,
            matches.map((m) => m.path),
            {
              column: config.column,
              names,
              ...(config.time_column !== undefined && { timestampColumn: config.time_column }),
            },
          );
          return file as DerivedFile;
        },
      },
    ];
  },
};

/** EINVAL for a `$N` beyond the pattern's captures. */
function checkName(
  reader: ConfigReader,
  name: string,
  pattern: string,
  keys: readonly (string | number)[],
): void {
  const captures = (pattern.match(/\*/g) ?? []).length - 2 * (pattern.match(/\*\*/g) ?? []).length;
  for (const match of name.matchAll(/\$(\d+)/g)) {
    if (Number(match[1]) >= captures) {
      reader.fail(keys, `$${match[1]} names no capture of ${pattern} (it has ${captures})`);
    }
  }
}
