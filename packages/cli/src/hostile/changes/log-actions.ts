// A crafted log entry that removes or adds data files outside the table, directly or through a
// symlinked partition, and shortens the history retention so that a plain maintain vacuums.

import { copyFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import { canaryContent, LONG_AGO, plantFile } from "../canary-tree.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { newestLogVersion, readLogEntry, writeLogEntry } from "../delta-log.js";
import { symlinkIntoStash } from "./internal-symlinks.js";

export interface LogActionChange {
  action:
    | "remove-through-symlink"
    | "remove-climbing"
    | "remove-encoded"
    | "remove-absolute"
    | "remove-url"
    | "add-climbing"
    | "add-url";
  /** The directory whose partition the action names. */
  dir: string;
}

export const logActions: ChangeClass<LogActionChange> = {
  name: "crafted log actions",
  scope: "global",
  arbitrary: (base: BasePond) =>
    fc.record({
      action: fc.constantFrom<LogActionChange["action"]>(
        "remove-through-symlink",
        "remove-climbing",
        "remove-encoded",
        "remove-absolute",
        "remove-url",
        "add-climbing",
        "add-url",
      ),
      dir: fc.constantFrom(...directoryPaths(base)),
    }),

  async craft(context, { action, dir }) {
    const { workspace } = context;
    const partId = context.node(dir).nodeId;
    const partition = `part_id=${partId}`;
    const victim = join(workspace.root, "nest", "victim.parquet");
    let path: string;
    let add: Record<string, unknown> | undefined;
    switch (action) {
      case "remove-through-symlink": {
        await symlinkIntoStash(workspace, partition);
        await plantFile(workspace, `stash/${partition}/victim.parquet`, canaryContent("victim"));
        path = `${partition}/victim.parquet`;
        break;
      }
      case "remove-climbing":
        path = `${partition}/../../victim.parquet`;
        break;
      case "remove-encoded":
        path = `${partition}/%2E%2E/%2E%2E/victim.parquet`;
        break;
      case "remove-absolute":
        path = victim;
        break;
      case "remove-url":
        path = `file://${victim}`;
        break;
      case "add-climbing":
      case "add-url": {
        // A real data file of the partition, copied outside the pond: it reads as pond data.
        const files = (await readdir(join(workspace.pondDir, partition))).filter((f) =>
          f.endsWith(".parquet"),
        );
        const source = join(workspace.pondDir, partition, files.sort()[0] as string);
        const copy = join(workspace.root, "nest", "data-victim.parquet");
        await copyFile(source, copy);
        path = action === "add-url" ? `file://${copy}` : "../data-victim.parquet";
        add = {
          path,
          partitionValues: { part_id: partId },
          size: (await stat(copy)).size,
          modificationTime: LONG_AGO.getTime(),
          dataChange: true,
          stats: null,
        };
        break;
      }
    }
    const metaData = (await readLogEntry(workspace.pondDir, 0)).find((a) => a.metaData)
      ?.metaData as Record<string, unknown>;
    const configuration = {
      ...(metaData.configuration as Record<string, string>),
      "pond.historyRetention": "1s",
      "delta.deletedFileRetentionDuration": "interval 1 seconds",
    };
    const version = (await newestLogVersion(workspace.pondDir)) + 1;
    const at = LONG_AGO.getTime();
    await writeLogEntry(workspace.pondDir, version, [
      {
        commitInfo: { timestamp: at, operation: add ? "WRITE" : "DELETE", operationParameters: {} },
      },
      { metaData: { ...metaData, configuration } },
      add
        ? { add }
        : {
            remove: { path, deletionTimestamp: at, dataChange: true, extendedFileMetadata: false },
          },
    ]);
    const what = `log entry ${version} ${add ? "adds" : "removes"} data file ${JSON.stringify(path)} and sets pond.historyRetention to 1s`;
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [path] }],
      versions: [version],
    });
  },
};
