// The command line as the user typed it, re-quoted for a shell: what each commit records.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `argv` (without the program) as one shell-safe line starting with `pond`. */
export function formatCommandLine(argv: readonly string[]): string {
  return ["pond", ...argv.map(quote)].join(" ");
}

function quote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
