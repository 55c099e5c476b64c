// A log with a hole or out of order: one entry deleted, or two entries' contents swapped.

import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import type { BasePond } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { LOG_DIR, logEntryName } from "../delta-log.js";

export type LogEntryChange =
  | { how: "missing"; version: number }
  | { how: "swapped"; version: number; with: number };

export const logEntries: ChangeClass<LogEntryChange> = {
  name: "missing or reordered log entries",
  scope: "global",
  arbitrary: (base: BasePond) => {
    // The newest entry missing is a pond one version younger, not a hole.
    const older = fc.integer({ min: 0, max: base.model.version - 1 });
    return fc.oneof(
      older.map((version) => ({ how: "missing" as const, version })),
      fc
        .uniqueArray(fc.integer({ min: 1, max: base.model.version }), {
          minLength: 2,
          maxLength: 2,
        })
        .map(([a, b]) => ({
          how: "swapped" as const,
          version: Math.min(a as number, b as number),
          with: Math.max(a as number, b as number),
        })),
    );
  },

  async craft(context, change) {
    const entry = (version: number) =>
      join(context.workspace.pondDir, LOG_DIR, logEntryName(version));
    if (change.how === "missing") {
      await rm(entry(change.version));
      const what = `log entry ${logEntryName(change.version)} deleted`;
      return crafted(what, {
        anomalies: [{ what, versions: [change.version], tokens: [logEntryName(change.version)] }],
        missingLogVersions: [change.version],
      });
    }
    const [first, second] = [
      await readFile(entry(change.version)),
      await readFile(entry(change.with)),
    ];
    await writeFile(entry(change.version), second);
    await writeFile(entry(change.with), first);
    const what = `log entries of versions ${change.version} and ${change.with} swapped`;
    const tokens = [logEntryName(change.version), logEntryName(change.with)];
    return crafted(what, {
      anomalies: [{ what, versions: [change.version, change.with], tokens }],
      versions: [change.version, change.with],
    });
  },
};
