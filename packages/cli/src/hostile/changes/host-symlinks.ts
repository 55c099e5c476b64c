// Symlinks already in the export target, leading into the canary tree: export writes beneath
// its target, never through a host symlink it did not create.

import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import type { BasePond } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";

export interface HostSymlinkChange {
  /** Where export will write a directory (`docs`) or a file (`data/notes.txt`). */
  at: "directory" | "file";
}

export const hostSymlinks: ChangeClass<HostSymlinkChange> = {
  name: "host symlinks in the export target",
  scope: "global",
  arbitrary: (_base: BasePond) =>
    fc.record({ at: fc.constantFrom<HostSymlinkChange["at"]>("directory", "file") }),

  async craft(context, { at }) {
    const made: string[] = [];
    for (const out of context.workspace.exportDirs) {
      if (at === "directory") {
        await mkdir(out, { recursive: true });
        await symlink("../nest/deeper", join(out, "docs"));
        made.push(`${out}/docs -> ../nest/deeper`);
      } else {
        await mkdir(join(out, "data"), { recursive: true });
        await symlink("../../victim.txt", join(out, "data", "notes.txt"));
        made.push(`${out}/data/notes.txt -> ../../victim.txt`);
      }
    }
    return crafted(`the export targets exist with symlinks ${made.join(", ")}`);
  },
};
