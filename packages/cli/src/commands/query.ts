// pond query: SQL over tables of the pond (files, series across their versions, globs).

import { resolve } from "node:path";
import type { QueryOptions } from "@pond/tinyfs";
import { type Command, type CommandContext, listOption, stringOption } from "../command.js";
import { withDynamicReads } from "../dynamic-reads.js";
import { UsageError } from "../errors.js";
import { HostTransaction } from "../host/host-transaction.js";
import { write } from "../io.js";
import type { PondAt } from "../open-pond.js";
import { parseAt } from "../option-values.js";
import { readPond } from "../pond-session.js";
import { parseTime } from "./downsample.js";

/** The options `pond query` and `pond cat --sql` share. */
export const QUERY_OPTIONS = {
  start: {
    type: "string",
    value: "TIME",
    description: "only rows of a series at or after TIME (ISO 8601, or epoch ms)",
  },
  end: { type: "string", value: "TIME", description: "only rows of a series before TIME" },
  format: {
    type: "string",
    value: "F",
    description: "table (default), csv, json or parquet",
  },
  output: {
    type: "string",
    short: "o",
    value: "HOSTFILE",
    description: "write the result to this host file instead of stdout",
  },
  at: {
    type: "string",
    value: "V",
    description:
      "query the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
  },
} as const satisfies Command["options"];

export interface QueryRequest {
  sql: string;
  tables: Record<string, string>;
  at?: PondAt | undefined;
  start?: number | undefined;
  end?: number | undefined;
  format?: string | undefined;
  output?: string | undefined;
  /** One version of each file. */
  version?: number | undefined;
}

/** The request's shared options, read from the command line. */
export function queryRequest(
  command: string,
  input: Parameters<Command["run"]>[1],
  sql: string,
  tables: Record<string, string>,
): QueryRequest {
  return {
    sql,
    tables,
    at: parseAt(stringOption(input, "at"), command),
    start: parseTime(stringOption(input, "start"), "--start", command),
    end: parseTime(stringOption(input, "end"), "--end", command),
    format: stringOption(input, "format"),
    output: stringOption(input, "output"),
  };
}

/** Runs the query on the pond and writes its result as it comes, to stdout or a host file. */
export async function runQuery(context: CommandContext, request: QueryRequest): Promise<void> {
  // Loaded here: apache-arrow's modules would slow every other command's start.
  const { queryFormat, queryOutput } = await import("../query-output.js");
  const format = queryFormat(request.format);
  const options: QueryOptions = {
    tables: request.tables,
    ...(request.version !== undefined && { versions: request.version }),
    ...((request.start !== undefined || request.end !== undefined) && {
      timeRange: {
        ...(request.start !== undefined && { start: request.start }),
        ...(request.end !== undefined && { end: request.end }),
      },
    }),
  };
  await readPond(context, request.at, (fs) =>
    // A table path at or below a dynamic node is what it computes, read through the same manager.
    withDynamicReads(fs, async (dynamic) => {
      const run = await fs.queryStream(request.sql, { ...options, dynamic });
      const output = queryOutput(run, format);
      if (request.output === undefined) {
        for await (const piece of output) await write(context.io.stdout, piece);
        return;
      }
      const host = new HostTransaction();
      try {
        await host.stageFile(resolve(context.io.cwd, request.output), request.output, output);
        await host.commit();
      } catch (error) {
        await host.rollback();
        throw error;
      }
    }),
  );
}

export const query: Command = {
  name: "query",
  summary: "run SQL over files and series of the pond",
  usage: 'pond query "SELECT ... FROM T" --table T=PATH [--table U=GLOB ...]',
  description: [
    "Runs a SQL query (DataFusion's dialect) over the tables named with --table:",
    "each a pond path or a glob. A file:series is every version together (columns",
    "unioned by name; a version without a column has nulls there), a file:table its",
    "newest version, a glob every file it matches, with a _path column naming each",
    "row's file. --start/--end keep a series' rows in a time range and skip the",
    "versions whose recorded time range lies outside it (so does a WHERE clause on",
    "the time column). A path or glob may reach into dynamic nodes: the files",
    "they compute are tables too. Results stream: a large result is written as",
    "it is made.",
  ],
  options: {
    table: {
      type: "string",
      short: "t",
      value: "NAME=PATH",
      multiple: true,
      description: "a table for the query: a pond path or glob (repeatable)",
    },
    ...QUERY_OPTIONS,
  },
  operands: { min: 1, max: 1 },
  json: false,
  examples: [
    {
      command: 'pond query "SELECT count(*) FROM w" --table w=/sensors/weather',
      explanation: "counts the rows of every version of a series",
    },
    {
      command:
        "pond query \"SELECT _path, max(temp) FROM w GROUP BY _path\" --table 'w=/sensors/**/weather'",
      explanation: "one table from every file the glob matches",
    },
    {
      command:
        'pond query "SELECT * FROM w" -t w=/sensors/weather --start 2025-01-01 --format csv -o w.csv',
      explanation: "writes the rows since 2025 as CSV",
    },
  ],
  async run(context, input) {
    const tables: Record<string, string> = {};
    for (const spec of listOption(input, "table")) {
      const at = spec.indexOf("=");
      const name = spec.slice(0, at);
      if (at <= 0 || at === spec.length - 1) {
        throw new UsageError(`--table needs NAME=PATH, not '${spec}'`, "query");
      }
      if (name in tables) throw new UsageError(`table '${name}' is given twice`, "query");
      tables[name] = spec.slice(at + 1);
    }
    await runQuery(context, queryRequest("query", input, input.operands[0] as string, tables));
  },
};
