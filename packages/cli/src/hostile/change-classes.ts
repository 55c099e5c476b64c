// Every class of hostile change, by name.

import { contentRefs } from "./changes/content-refs.js";
import { cycles } from "./changes/cycles.js";
import { duplicates } from "./changes/duplicates.js";
import { entryKinds } from "./changes/entry-kinds.js";
import { entryNames } from "./changes/entry-names.js";
import { hostSymlinks } from "./changes/host-symlinks.js";
import { internalSymlinks } from "./changes/internal-symlinks.js";
import { largeFilesSubdir } from "./changes/large-files-subdir.js";
import { logActions } from "./changes/log-actions.js";
import { logEntries } from "./changes/log-entries.js";
import { seriesChunks } from "./changes/series-chunks.js";
import { sizes } from "./changes/sizes.js";
import { symlinkLoops } from "./changes/symlink-loops.js";
import type { ChangeClass } from "./crafted-change.js";

export const CHANGE_CLASSES: ReadonlyArray<ChangeClass<unknown>> = [
  entryNames,
  entryKinds,
  contentRefs,
  sizes,
  duplicates,
  cycles,
  symlinkLoops,
  seriesChunks,
  logEntries,
  internalSymlinks,
  largeFilesSubdir,
  logActions,
  hostSymlinks,
];

export function changeClass(name: string): ChangeClass<unknown> {
  const found = CHANGE_CLASSES.find((c) => c.name === name);
  if (!found) throw new Error(`no change class ${name}`);
  return found;
}
