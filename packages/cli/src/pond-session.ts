// Running a command against the pond: reads on a (possibly past) view, changes as one transaction.

import type { FS, WD } from "@pond/tinyfs";
import type { CommandContext } from "./command.js";
import { type PondAt, withPond } from "./open-pond.js";

/** The metadata every commit made by the CLI records: how to re-run the command. */
export function commitMeta(context: CommandContext): Record<string, string> {
  return { argv: JSON.stringify(context.argv), cwd: context.io.cwd };
}

/**
 * Runs `fn` on the pond read-only: as of `at`, or else as of its newest
 * version when the command starts (so every read of the command sees one version).
 */
export function readPond<T>(
  context: CommandContext,
  at: PondAt | undefined,
  fn: (fs: FS) => Promise<T>,
): Promise<T> {
  return withPond(context.location, { at, readOnly: true }, async (fs) => {
    if (at !== undefined) return fn(fs);
    const pinned = await fs.atVersion(await fs.version());
    try {
      return await fn(pinned);
    } finally {
      await pinned.close();
    }
  });
}

/** The outcome of a change: what `fn` returned and the version committed (none if nothing changed). */
export interface Change<T> {
  result: T;
  version: number | undefined;
}

/**
 * Runs `fn` as one transaction on the pond, committed with the command line as
 * its message and the arguments in its metadata; a failure anywhere commits nothing.
 */
export function changePond<T>(
  context: CommandContext,
  fn: (root: WD, fs: FS) => Promise<T>,
  meta: Record<string, string> = {},
): Promise<Change<T>> {
  return withPond(context.location, {}, async (fs) => {
    const before = await fs.version();
    const result = await fs.transaction((root) => fn(root, fs), {
      message: context.commandLine,
      meta: { ...commitMeta(context), ...meta },
    });
    const after = await fs.version();
    return { result, version: after > before ? after : undefined };
  });
}
