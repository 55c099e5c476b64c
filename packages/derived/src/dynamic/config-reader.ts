// Strict reading of a dynamic node's config: every key known, every value of its type.

import { PondError } from "@pond/tinyfs";

/** A key path in a config, e.g. `["aggregations", 0, "ops"]`. */
export type ConfigKeys = readonly (string | number)[];

/**
 * Where a key was written, for error messages (e.g. "document 2, line 7"); the YAML reader of the
 * CLI knows, an API caller passing objects does not.
 */
export type ConfigLocator = (keys: ConfigKeys) => string | undefined;

/** Reads one config, each failure EINVAL naming the key and, given a locator, where it is. */
export class ConfigReader {
  constructor(
    /** The kind, named in messages. */
    private readonly kind: string,
    private readonly locate: ConfigLocator = () => undefined,
    /** What the value read is called in messages. */
    private readonly root = "config",
  ) {}

  fail(keys: ConfigKeys, problem: string): never {
    const where = this.locate(keys);
    const name = [this.root, ...keys.map(String)].join(".");
    throw new PondError("EINVAL", `${this.kind} ${name}: ${problem}${where ? ` (${where})` : ""}`);
  }

  /** A mapping with exactly the keys `known` allows: `required` ones present, no others. */
  object(
    value: unknown,
    keys: ConfigKeys,
    required: readonly string[],
    optional: readonly string[] = [],
  ): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(keys, "must be a mapping");
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!required.includes(key) && !optional.includes(key)) {
        this.fail([...keys, key], `unknown key (known: ${[...required, ...optional].join(", ")})`);
      }
    }
    for (const key of required) {
      if (record[key] === undefined) this.fail([...keys, key], "missing");
    }
    return record;
  }

  /** A mapping of any keys (each then read by the caller). */
  mapping(value: unknown, keys: ConfigKeys): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(keys, "must be a mapping");
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, keys: ConfigKeys): string {
    if (typeof value !== "string" || value.length === 0) this.fail(keys, "must be a string");
    return value;
  }

  optionalString(value: unknown, keys: ConfigKeys): string | undefined {
    return value === undefined ? undefined : this.string(value, keys);
  }

  /** A non-empty list, each item read by `item`. */
  list<T>(value: unknown, keys: ConfigKeys, item: (value: unknown, keys: ConfigKeys) => T): T[] {
    if (!Array.isArray(value) || value.length === 0) this.fail(keys, "must be a non-empty list");
    return value.map((v, i) => item(v, [...keys, i]));
  }

  /** One of `allowed`. */
  oneOf<T extends string>(value: unknown, keys: ConfigKeys, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      this.fail(keys, `must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }

  /** Runs `check` on a value, its PondError reported against the key. */
  checked<T>(keys: ConfigKeys, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (PondError.is(error)) this.fail(keys, error.detail);
      throw error;
    }
  }
}

/** EINVAL unless `pattern` is an absolute pond glob: literal, `*` and whole `**` components. */
export function checkPathPattern(reader: ConfigReader, pattern: string, keys: ConfigKeys): void {
  if (!pattern.startsWith("/")) reader.fail(keys, "must be an absolute path pattern");
  const components = pattern.split("/").slice(1);
  for (const c of components) {
    if (c === "" || c === "." || c === "..") reader.fail(keys, `invalid component "${c}"`);
    if (c.includes("**") && c !== "**") reader.fail(keys, "`**` must be a whole path component");
    if (c.includes("\0")) reader.fail(keys, "contains NUL");
  }
}
