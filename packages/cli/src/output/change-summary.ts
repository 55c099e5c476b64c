// What a command that changes the pond prints when it is done.

import type { CommandContext } from "../command.js";
import { write, writeLines } from "../io.js";
import type { Change } from "../pond-session.js";
import { toJson } from "./json.js";
import { escapeControls } from "./quote.js";

/**
 * One line, "version 7: copied 3 files (1.2 MiB) to /raw", or the same facts as
 * JSON: `{ version, message, ...details }` (version null when nothing changed).
 */
export async function printChange(
  context: CommandContext,
  change: Change<unknown>,
  summary: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (context.json) {
    const document = { version: change.version ?? null, message: context.commandLine, ...details };
    await write(context.io.stdout, toJson(document));
    return;
  }
  const head = change.version === undefined ? "no change" : `version ${change.version}`;
  await writeLines(context.io.stdout, [`${head}: ${escapeControls(summary)}`]);
}
