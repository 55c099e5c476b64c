// A directory where only large files belong: inside `_large_files`, old enough to be reclaimed.

import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import type { BasePond } from "../base-pond.js";
import { LONG_AGO } from "../canary-tree.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { text } from "../crafted-rows.js";

export interface LargeFilesSubdirChange {
  name: string;
}

export const largeFilesSubdir: ChangeClass<LargeFilesSubdirChange> = {
  name: "a directory inside _large_files",
  scope: "global",
  arbitrary: (_base: BasePond) =>
    fc.record({
      name: fc.constantFrom(`sha256=${"a".repeat(64)}`, "junk", ".reclaim-0123456789ab"),
    }),

  async craft(context, { name }) {
    const dir = join(context.workspace.pondDir, "_large_files", name);
    await mkdir(dir, { recursive: true });
    const file = join(dir, "inside.bin");
    await writeFile(file, text("a file in a directory in _large_files\n"));
    for (const path of [file, dir]) await utimes(path, LONG_AGO, LONG_AGO);
    const what = `a directory _large_files/${name} holding a file`;
    return crafted(what, {
      anomalies: [{ what, versions: [], tokens: [`_large_files/${name}`] }],
    });
  },
};
