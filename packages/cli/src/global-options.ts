// The options every command takes, besides its own.

import type { OptionSpec } from "./command.js";

export const POND_OPTION: OptionSpec = {
  type: "string",
  value: "DIR",
  description: "the pond to use (default: $POND, else ./.pond)",
};

export const JSON_OPTION: OptionSpec = {
  type: "boolean",
  description: "print the result as JSON, for scripts",
};

export const HELP_OPTION: OptionSpec = {
  type: "boolean",
  short: "h",
  description: "show this help",
};

export const VERSION_OPTION: OptionSpec = {
  type: "boolean",
  short: "V",
  description: "print pond's version",
};
