// JSON output for scripts: one document per command, dates as ISO strings.

/** `value` as indented JSON with a final newline; bigints become numbers when exact, else strings. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v !== "bigint") return v;
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    },
    2,
  )}\n`;
}
