// What a command is: its name, options, help text and what it runs.

import type { CliIo } from "./io.js";
import type { PondLocation } from "./pond-location.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's name in help, e.g. "N" for `--version N`. */
  value?: string;
  /** May be given several times (a string option's values are then a list). */
  multiple?: boolean;
  /** One line for help. */
  description: string;
}

export interface Example {
  command: string;
  explanation: string;
}

/** The parsed command line a command runs with. */
export interface CommandInput {
  options: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  operands: readonly string[];
}

/** What a running command can reach. */
export interface CommandContext {
  io: CliIo;
  /** The arguments after `pond`, exactly as given. */
  argv: readonly string[];
  /** `pond` and the arguments, shell-quoted: the message of a commit. */
  commandLine: string;
  /** The pond named by --pond, $POND or the default. */
  location: PondLocation;
  /** --json was given. */
  json: boolean;
  /**
   * Reports a failure the command goes on without (a damaged entry it leaves out): one error
   * line on stderr now (none for a failure already reported), and exit status 1 at the end.
   */
  skip(error: unknown): void;
}

export interface Command {
  name: string;
  /** One line for `pond --help`. */
  summary: string;
  /** The synopsis, e.g. "pond rm [-r] PATH...". */
  usage: string;
  /** Paragraph lines for `pond CMD --help`. */
  description: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  /** How many operands the command takes. */
  operands: { min: number; max?: number };
  /** Whether --json is accepted. */
  json: boolean;
  examples: readonly Example[];
  run(context: CommandContext, input: CommandInput): Promise<void>;
}

/** A string option's value, if given. */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === "string" ? value : undefined;
}

/** Every value of a string option given several times (none when not given). */
export function listOption(input: CommandInput, name: string): readonly string[] {
  const value = input.options[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/** Whether a boolean option was given. */
export function flagOption(input: CommandInput, name: string): boolean {
  return input.options[name] === true;
}
