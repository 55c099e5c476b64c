// The temporal-reduce kind: per input a glob matches, a directory of its series rolled up per resolution.

import { parseDuration } from "@pond/tinyfs";
import type { TimeUnit } from "../arrow-ffi.js";
import type { DerivedFile, DerivedFileManager } from "../derived-file-manager.js";
import { parseResolution } from "../resolution.js";
import { REDUCE_OPS, type ReduceOp } from "../rollup-state.js";
import { TEMPORAL_REDUCE } from "../temporal-reduce.js";
import { TIME_UNITS } from "../timestamp-column.js";
import { type ConfigReader, checkPathPattern } from "./config-reader.js";
import type { DynamicKind, DynamicOutput } from "./dynamic-kind.js";
import { checkDistinct, inputMatches, outputNames } from "./input-patterns.js";

/** A temporal-reduce node's config, as written in YAML. */
export interface TemporalReduceConfig {
  /** Absolute glob of the input series; each `*` is a capture. */
  in_pattern: string;
  /** The output directory's path below the node: `$0`, `$1`... are the captures. */
  out_pattern: string;
  /** Bucket widths, e.g. `1h`; each a `res=<width>.series` output. */
  resolutions: string[];
  /** Per glob over column names, the aggregations of the matched columns. */
  aggregations: { columns: string; ops: ReduceOp[] }[];
  /** How late data may arrive before a bucket is sealed (default 1d). */
  lateness?: string;
  /** The input's time column (default: its attrs, else found by type and name). */
  time_column?: string;
  /** The unit of an integer epoch time column (default: the input's attrs). */
  time_unit?: TimeUnit;
}

export const temporalReduceKind: DynamicKind<TemporalReduceConfig> = {
  name: "temporal-reduce",
  directory: true,

  config(raw, reader) {
    const c = reader.object(
      raw,
      [],
      ["in_pattern", "out_pattern", "resolutions", "aggregations"],
      ["lateness", "time_column", "time_unit"],
    );
    const inPattern = reader.string(c.in_pattern, ["in_pattern"]);
    checkPathPattern(reader, inPattern, ["in_pattern"]);
    const outPattern = reader.string(c.out_pattern, ["out_pattern"]);
    checkOutPattern(reader, outPattern, inPattern);
    const resolutions = reader.list(c.resolutions, ["resolutions"], (value, keys) => {
      const resolution = reader.string(value, keys);
      reader.checked(keys, () => parseResolution(resolution));
      return resolution;
    });
    if (new Set(resolutions).size !== resolutions.length) {
      reader.fail(["resolutions"], "lists a resolution twice");
    }
    const aggregations = reader.list(c.aggregations, ["aggregations"], (value, keys) => {
      const a = reader.object(value, keys, ["columns", "ops"]);
      const columns = reader.string(a.columns, [...keys, "columns"]);
      const ops = reader.list(a.ops, [...keys, "ops"], (op, opKeys) =>
        reader.oneOf(op, opKeys, REDUCE_OPS),
      );
      return { columns, ops };
    });
    const lateness = reader.optionalString(c.lateness, ["lateness"]);
    if (lateness !== undefined) reader.checked(["lateness"], () => parseDuration(lateness));
    const timeColumn = reader.optionalString(c.time_column, ["time_column"]);
    const timeUnit =
      c.time_unit === undefined ? undefined : reader.oneOf(c.time_unit, ["time_unit"], TIME_UNITS);
    return {
      in_pattern: inPattern,
      out_pattern: outPattern,
      resolutions,
      aggregations,
      ...(lateness !== undefined && { lateness }),
      ...(timeColumn !== undefined && { time_column: timeColumn }),
      ...(timeUnit !== undefined && { time_unit: timeUnit }),
    };
  },

  async outputs(config, { root, manager }) {
    const outputs: DynamicOutput[] = [];
    for (const match of await inputMatches(root, config.in_pattern)) {
      const names = outputNames(config.out_pattern, match.captures, match.path);
      config.resolutions.forEach((resolution, i) => {
        outputs.push({
          names: [...names, `res=${resolution}.series`],
          entryType: "file:table",
          compute: async () => (await reduce(manager, match.path, config))[i] as DerivedFile,
        });
      });
    }
    checkDistinct(outputs);
    return outputs;
  },
};

/** The one place the kind meets a computation: one input rolled up to every resolution of the config. */
export function reduce(
  manager: DerivedFileManager,
  input: string,
  config: TemporalReduceConfig,
): Promise<DerivedFile[]> {
  return manager.derive(TEMPORAL_REDUCE, input, {
    resolutions: config.resolutions,
    aggregations: config.aggregations,
    ...(config.lateness !== undefined && { lateness: config.lateness }),
    ...(config.time_column !== undefined && { timestampColumn: config.time_column }),
    ...(config.time_unit !== undefined && { timestampUnit: config.time_unit }),
  });
}

function checkOutPattern(reader: ConfigReader, outPattern: string, inPattern: string): void {
  const captures = inPattern
    .split("/")
    .filter((c) => c.includes("*") && c !== "**")
    .reduce((n, c) => n + c.split("*").length - 1, 0);
  for (const match of outPattern.matchAll(/\$(\d+)/g)) {
    if (Number(match[1]) >= captures) {
      reader.fail(
        ["out_pattern"],
        `$${match[1]} names no capture of in_pattern (it has ${captures})`,
      );
    }
  }
  if (
    outPattern.startsWith("/") ||
    outPattern.split("/").some((c) => c === "" || c === "." || c === "..")
  ) {
    reader.fail(["out_pattern"], "must be a relative path of names");
  }
}
