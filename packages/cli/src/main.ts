// The pond command line: global options, command lookup, option parsing, errors and exit status.

import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import type { Command, CommandContext, CommandInput } from "./command.js";
import { formatCommandLine } from "./command-line.js";
import { COMMANDS, findCommand } from "./commands/command-table.js";
import { EXIT_FAILURE, EXIT_OK, HostError, reportError, UsageError } from "./errors.js";
import { HELP_OPTION } from "./global-options.js";
import { commandHelp, overview, usageHint } from "./help.js";
import { type CliIo, processIo, writeLines } from "./io.js";
import { pondLocation } from "./pond-location.js";

/**
 * Runs `pond` with `argv` (the arguments after the program name) and resolves
 * to the exit status: 0 done, 1 failed, 2 the command line was not understood.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let command: Command | undefined;
  try {
    const global = splitGlobalOptions(argv);
    if (global.version) {
      await writeLines(io.stdout, [`pond ${packageVersion()}`]);
      return EXIT_OK;
    }
    const [name, ...rest] = global.rest;
    if (name === undefined) {
      if (global.help) {
        await writeLines(io.stdout, overview(COMMANDS));
        return EXIT_OK;
      }
      throw new UsageError("no command given");
    }
    if (name === "help") return await help(rest, io);
    command = findCommand(name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (global.help || wantsHelp(rest)) {
      await writeLines(io.stdout, commandHelp(command));
      return EXIT_OK;
    }
    const input = parseCommandLine(command, rest);
    const pondOption = stringValue(input.options.pond) ?? global.pond;
    let skipped = 0;
    // One walk may meet a bad entry twice (listing it, then going into it): said once.
    const reported = new Set<string>();
    const context: CommandContext = {
      io,
      argv,
      commandLine: formatCommandLine(argv),
      location: pondLocation(pondOption, io),
      json: input.options.json === true || global.json,
      skip(error) {
        skipped++;
        const line = reportError(error).line;
        if (reported.has(line)) return;
        reported.add(line);
        // Written at once, between the command's own output: stderr takes it synchronously.
        io.stderr.write(`${line}\n`);
      },
    };
    if (context.json && !command.json) {
      throw new UsageError(`'pond ${command.name}' has no --json output`, command.name);
    }
    await command.run(context, input);
    return skipped > 0 ? EXIT_FAILURE : EXIT_OK;
  } catch (error) {
    return report(error, command, io);
  }
}

interface GlobalOptions {
  pond?: string;
  json: boolean;
  help: boolean;
  version: boolean;
  rest: string[];
}

/** The options before the command name: --pond, --json, --help, --version. */
function splitGlobalOptions(argv: readonly string[]): GlobalOptions {
  const global: GlobalOptions = { json: false, help: false, version: false, rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg === "--pond") {
      const value = argv[++i];
      if (value === undefined) throw new UsageError("--pond needs a directory");
      global.pond = value;
    } else if (arg.startsWith("--pond=")) {
      global.pond = arg.slice("--pond=".length);
    } else if (arg === "--json") {
      global.json = true;
    } else if (arg === "-h" || arg === "--help") {
      global.help = true;
    } else if (arg === "-V" || arg === "--version") {
      global.version = true;
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  global.rest = argv.slice(i);
  return global;
}

function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "-h" || arg === "--help") return true;
  }
  return false;
}

async function help(args: readonly string[], io: CliIo): Promise<number> {
  const [name] = args;
  if (name === undefined) {
    await writeLines(io.stdout, overview(COMMANDS));
    return EXIT_OK;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  await writeLines(io.stdout, commandHelp(command));
  return EXIT_OK;
}

function parseCommandLine(command: Command, args: readonly string[]): CommandInput {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {
    pond: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: HELP_OPTION.short as string },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short && { short: spec.short }),
      ...(spec.multiple && { multiple: true }),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error), command.name);
  }
  const operands = parsed.positionals;
  const { min, max } = command.operands;
  if (operands.length < min) {
    throw new UsageError(
      operands.length === 0 ? "missing arguments" : "too few arguments",
      command.name,
    );
  }
  if (max !== undefined && operands.length > max) {
    const extra = operands[max] as string;
    throw new UsageError(`unexpected argument '${extra}'`, command.name);
  }
  return { options: parsed.values as CommandInput["options"], operands };
}

// parseArgs says "Unknown option '--x'. To specify a positional argument starting with a '-',
// place it at the end of the command after '--', as in '-- \"--x\"" — keep the first sentence.
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0] ?? message;
  const reason = first.replace(/\.$/, "");
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

async function report(error: unknown, command: Command | undefined, io: CliIo): Promise<number> {
  // A reader that went away (`pond cat big | head`) wants no message; the output is still cut short.
  if (error instanceof HostError && error.code === "EPIPE" && error.path === "stdout") {
    return EXIT_FAILURE;
  }
  const { line, exitCode } = reportError(error);
  const lines = [line];
  if (error instanceof UsageError) {
    lines.push(...usageHint(error.command ? findCommand(error.command) : command));
  }
  if (io.env.POND_DEBUG && error instanceof Error && error.stack) lines.push(error.stack);
  try {
    await writeLines(io.stderr, lines);
  } catch {
    // Nowhere left to say it; the exit status still tells.
  }
  return exitCode;
}

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("../package.json") as { version: string }).version;
}
