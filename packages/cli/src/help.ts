// The help texts: pond's overview, each command's page, and the hint after a usage error.

import type { Command, OptionSpec } from "./command.js";
import { HELP_OPTION, JSON_OPTION, POND_OPTION, VERSION_OPTION } from "./global-options.js";
import { renderTable } from "./output/table.js";

/** `pond --help`. */
export function overview(commands: readonly Command[]): string[] {
  return [
    "pond - a versioned, transactional filesystem for data files, kept in a Delta Lake table",
    "",
    "usage: pond [--pond DIR] COMMAND [OPTIONS] [ARGUMENTS]",
    "",
    "commands:",
    ...renderTable(
      [{ header: "" }, { header: "" }],
      commands.map((c) => [c.name, c.summary]),
      { header: false, indent: "  " },
    ),
    "",
    "options:",
    ...optionLines({
      pond: POND_OPTION,
      json: { ...JSON_OPTION, description: `${JSON_OPTION.description} (all but cat and demo)` },
      help: HELP_OPTION,
      version: VERSION_OPTION,
    }),
    "",
    "Every command that changes the pond is one transaction: it commits as one new",
    "version, recording the command line, or changes nothing at all. Errors are one",
    "line on stderr, 'pond: CODE: PATH: message', with exit status 1 (2 when the",
    "command line itself is wrong); a listing or export that meets an entry it",
    "cannot read reports it so, goes on without it, and exits 1. Names with",
    "control characters are shown quoted, as GNU ls quotes them. Long copies,",
    "exports and downsamples show a progress bar on stderr when it is a terminal.",
    "",
    "A pond location is a directory (or file:DIR) holding the Delta table,",
    "s3://BUCKET/PREFIX for one in an S3-compatible bucket (settings from the AWS_*",
    "variables), journal:FILE for a pond kept in one append-only journal file (no",
    "maintain or fsck), or memory:NAME for one that lasts as long as the command.",
    "",
    "environment:",
    "  POND              the pond to use when --pond is not given",
    "",
    "examples:",
    "  pond demo                        build a demo pond in ./pond-demo and tour it",
    "  pond init                        create an empty pond in ./.pond",
    "  pond copy data.csv /raw/         copy a host file into the pond",
    "  pond ls -l '**'                  list everything, with types, sizes and versions",
    "  pond log                         every version of the pond",
    "",
    "Run 'pond COMMAND --help' for a command's options and examples.",
  ];
}

/** `pond CMD --help`. */
export function commandHelp(command: Command): string[] {
  const options: Record<string, OptionSpec> = { ...command.options, pond: POND_OPTION };
  if (command.json) options.json = JSON_OPTION;
  options.help = HELP_OPTION;
  return [
    `pond ${command.name} - ${command.summary}`,
    "",
    `usage: ${command.usage}`,
    "",
    ...command.description,
    "",
    "options:",
    ...optionLines(options),
    "",
    "examples:",
    ...command.examples.flatMap((e) => [`  ${e.command}`, `      ${e.explanation}`]),
  ];
}

/** The lines after a usage error. */
export function usageHint(command: Command | undefined): string[] {
  if (!command) return ["Run 'pond --help' for the commands and their options."];
  return [`usage: ${command.usage}`, `Run 'pond ${command.name} --help' for more.`];
}

function optionLines(options: Record<string, OptionSpec>): Iterable<string> {
  return renderTable(
    [{ header: "" }, { header: "" }],
    Object.entries(options).map(([name, spec]) => {
      const short = spec.short ? `-${spec.short}, ` : "    ";
      const value = spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : "";
      return [`${short}--${name}${value}`, spec.description];
    }),
    { header: false, indent: "  " },
  );
}
