// pond cat: a file's bytes on stdout.

import { type Command, stringOption } from "../command.js";
import { withDynamicReads } from "../dynamic-reads.js";
import { UsageError } from "../errors.js";
import { write } from "../io.js";
import { parseAt, parseWholeNumber } from "../option-values.js";
import { readPond } from "../pond-session.js";
import { QUERY_OPTIONS, queryRequest, runQuery } from "./query.js";

/** The table a `cat --sql` query reads: the file itself. */
const SOURCE = "source";

export const cat: Command = {
  name: "cat",
  summary: "print a file's bytes",
  usage: 'pond cat [--version N] [--at V] PATH... | pond cat PATH --sql "SELECT ... FROM source"',
  description: [
    "Writes the bytes of each file to stdout, unchanged. By default the newest",
    "version; --version picks one of the file's own versions (1, 2, ... as listed",
    "by pond stat), --at shows the pond as of an earlier pond version or time.",
    "A file of a dynamic node is computed from its inputs as of that version.",
    "With --sql, runs the query over the file as the table 'source' (a series is",
    "every version together, or --version N only) and prints the result; see",
    "pond query for the other options.",
  ],
  options: {
    sql: {
      type: "string",
      value: "QUERY",
      description: "print the result of SQL over the file, named source",
    },
    ...QUERY_OPTIONS,
    version: {
      type: "string",
      value: "N",
      description: "the file's own version N (see pond stat PATH)",
    },
  },
  operands: { min: 1 },
  json: false,
  examples: [
    { command: "pond cat /docs/README.md", explanation: "prints the newest version" },
    { command: "pond cat --version 1 /docs/README.md", explanation: "prints its first version" },
    {
      command: "pond cat /views/weather/station-1/res=1h.series > hourly.parquet",
      explanation: "computes a file of a dynamic node (or serves it from the cache)",
    },
    {
      command: "pond cat --at 2 /data/readings.csv > old.csv",
      explanation: "saves the file as it was in pond version 2",
    },
    {
      command: 'pond cat /sensors/weather --sql "SELECT max(temp) FROM source"',
      explanation: "the highest temperature in every version of a series",
    },
  ],
  async run(context, input) {
    const version = parseWholeNumber(stringOption(input, "version"), "--version", "cat", 1);
    const sql = stringOption(input, "sql");
    if (sql !== undefined) {
      if (input.operands.length !== 1) throw new UsageError("--sql reads one file", "cat");
      const request = queryRequest("cat", input, sql, { [SOURCE]: input.operands[0] as string });
      await runQuery(context, { ...request, version });
      return;
    }
    for (const option of ["start", "end", "format", "output"]) {
      if (input.options[option] !== undefined) {
        throw new UsageError(`--${option} goes with --sql`, "cat");
      }
    }
    const at = parseAt(stringOption(input, "at"), "cat");
    await readPond(context, at, (fs) =>
      withDynamicReads(fs, async (dynamic) => {
        const root = fs.root();
        for (const path of input.operands) {
          if (await dynamic.holds(path)) {
            if (version !== undefined) {
              throw new UsageError("a dynamic node's files have no versions of their own", "cat");
            }
            await write(context.io.stdout, (await (await dynamic.nodes()).readFile(path)).bytes);
            continue;
          }
          const bytes = await root.readFile(path, version === undefined ? {} : { version });
          await write(context.io.stdout, bytes);
        }
      }),
    );
  },
};
