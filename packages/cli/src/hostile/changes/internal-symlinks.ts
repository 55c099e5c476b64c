// The pond's own directories and files replaced by symlinks into the host, as a tarball can
// carry them: `_large_files`, a `part_id=…` directory, `_delta_log`, or one file of each. What
// they pointed to moves to the canary tree, beside canary files a stray delete would take.

import { mkdir, readdir, rename, symlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { sha256Hex } from "@pond/tinyfs";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import { canaryContent, plantFile, type Workspace } from "../canary-tree.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { LOG_DIR, logEntryName } from "../delta-log.js";

export interface InternalSymlinkChange {
  what: "large-files-dir" | "partition-dir" | "log-dir" | "large-file" | "data-file" | "log-entry";
  /** The directory whose partition is replaced, or one of whose data files is. */
  dir: string;
}

/**
 * Moves `inside` (relative to the pond) to the same place under the workspace's `stash` and
 * leaves a relative symlink to it; returns where it went.
 */
export async function symlinkIntoStash(workspace: Workspace, inside: string): Promise<string> {
  const moved = join(workspace.root, "stash", inside);
  await mkdir(dirname(moved), { recursive: true });
  const link = join(workspace.pondDir, inside);
  await rename(link, moved);
  await symlink(relative(dirname(link), moved), link);
  return moved;
}

export const internalSymlinks: ChangeClass<InternalSymlinkChange> = {
  name: "symlinked internal directories",
  scope: "global",
  arbitrary: (base: BasePond) =>
    fc.record({
      what: fc.constantFrom<InternalSymlinkChange["what"]>(
        "large-files-dir",
        "partition-dir",
        "log-dir",
        "large-file",
        "data-file",
        "log-entry",
      ),
      dir: fc.constantFrom(...directoryPaths(base)),
    }),

  async craft(context, { what, dir }) {
    const { workspace } = context;
    const partition = `part_id=${context.node(dir).nodeId}`;
    const bigRef = context.node("/data/raw/big.bin").contentRef as string;
    let inside: string;
    let victim: string | undefined;
    switch (what) {
      case "large-files-dir": {
        inside = "_large_files";
        const content = canaryContent("stash/_large_files");
        victim = `sha256=${sha256Hex(content)}`;
        break;
      }
      case "partition-dir":
        inside = partition;
        victim = "victim.parquet";
        break;
      case "log-dir":
        inside = LOG_DIR;
        victim = logEntryName(999);
        break;
      case "large-file":
        inside = bigRef;
        break;
      case "data-file": {
        const files = await readdir(join(workspace.pondDir, partition));
        inside = `${partition}/${files.filter((f) => f.endsWith(".parquet")).sort()[0]}`;
        break;
      }
      case "log-entry":
        inside = `${LOG_DIR}/${logEntryName(1)}`;
        break;
    }
    const moved = await symlinkIntoStash(workspace, inside);
    if (victim) {
      await plantFile(
        workspace,
        relative(workspace.root, join(moved, victim)),
        canaryContent(victim),
      );
    }
    const description = `${inside} replaced by a symlink to ${relative(workspace.root, moved)}${victim ? `, beside canary ${victim}` : ""}`;
    return crafted(description, {
      anomalies: [{ what: description, versions: [], tokens: [inside] }],
    });
  },
};
