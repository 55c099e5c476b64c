// The command line as the user typed it, re-quoted for a shell: what each commit records.

import { quoteName } from "./output/quote.js";

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `argv` (without the program) as one shell-safe line starting with `pond`. */
export function formatCommandLine(argv: readonly string[]): string {
  return ["pond", ...argv.map(quote)].join(" ");
}

function quote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  // Control characters go in $'…' segments, so that the line a commit records prints safely.
  const quoted = quoteName(arg);
  return quoted !== arg ? quoted : `'${arg.replace(/'/g, `'\\''`)}'`;
}
