// pond mknod: create (or reconfigure) a dynamic node from a YAML config.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, stringOption } from "../command.js";
import { derivedManager, loadDerived } from "../derived.js";
import { onHost, UsageError } from "../errors.js";
import { printChange } from "../output/change-summary.js";
import { changePond } from "../pond-session.js";
import { readYamlDocuments } from "../yaml-documents.js";

export const mknod: Command = {
  name: "mknod",
  summary: "create a dynamic node: content computed on read from a config",
  usage: "pond mknod KIND PATH --config FILE.yaml",
  description: [
    "Creates PATH as a dynamic node of KIND: the config in FILE.yaml (one YAML",
    "document) is stored in the pond, versioned like any file, and whatever reads",
    "PATH (ls, cat, stat, export, downsample, query) gets what KIND computes from it and",
    "from its inputs, as of the pond version read (--at included). Writing to a",
    "dynamic node, or into it, is EROFS. An existing dynamic node at PATH gets the",
    "new config as a new version; the same kind and config again change nothing.",
    "",
    "Kinds: temporal-reduce, a directory with, per input series its in_pattern",
    "matches, a directory named by out_pattern ($0, $1... are what each * matched)",
    "holding res=<resolution>.series per resolution: per time bucket, the asked",
    "aggregations (avg, min, max, count) of the columns each glob names;",
    "timeseries-join, one Parquet file: the series its inputs' globs match joined",
    "on time (full outer), each one's columns named <scope>.<column>;",
    "timeseries-pivot, one Parquet file: one column of every series in_pattern",
    "matches, side by side on time, each named by its capture ($0 by default).",
    "A time held twice by one series takes its last row (newest version first).",
    "sql-derived-table and sql-derived-series, one Parquet file: the result of",
    "query (default SELECT * FROM source) over the tables patterns names (each a",
    "path or glob, as pond query --table takes them), a series keeping its time",
    "column.",
  ],
  options: {
    config: {
      type: "string",
      value: "FILE",
      description: "the config, a YAML file (required)",
    },
  },
  operands: { min: 2, max: 2 },
  json: true,
  examples: [
    {
      command: "pond mknod temporal-reduce /views/weather --config reduce.yaml",
      explanation:
        "with reduce.yaml holding 'in_pattern: /sensors/*/weather', 'out_pattern: $0', " +
        "'resolutions: [1h, 1d]' and 'aggregations: [{columns: \"*\", ops: [avg, min, max]}]'",
    },
    {
      command: "pond cat /views/weather/station-1/res=1h.series > hourly.parquet",
      explanation: "the hourly rollup of /sensors/station-1/weather, computed on read",
    },
  ],
  async run(context, input) {
    const [kindName, path] = input.operands as [string, string];
    const file = stringOption(input, "config");
    if (file === undefined) throw new UsageError("missing --config FILE", "mknod");
    const text = await onHost(file, () => readFile(resolve(context.io.cwd, file), "utf8"));
    const documents = await readYamlDocuments(text, file);
    if (documents.length !== 1) {
      throw new UsageError(`${file} must hold one YAML document, not ${documents.length}`, "mknod");
    }
    const [document] = documents as [(typeof documents)[0]];
    const derived = await loadDerived();
    const change = await changePond(context, async (root, fs) => {
      const manager = await derivedManager(fs);
      try {
        const kind = manager.dynamic.kind(kindName);
        return await derived.writeDynamicNode(root, kind, path, document.value, document.locate);
      } finally {
        await manager.close();
      }
    });
    const summary = change.result.changed
      ? `${kindName} node ${path}`
      : `${path} already holds this config`;
    await printChange(context, change, summary, { path, kind: kindName });
  },
};
