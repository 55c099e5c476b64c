// One hostile case: a copy of a base pond, crafted changes applied to it inside a canary tree,
// every read command, maintain and fsck run on it, and every check made.

import { cp, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type fc from "fast-check";
import type { BasePond } from "./base-pond.js";
import {
  ageAndSnapshot,
  plantCanaries,
  snapshot,
  treeChanges,
  workspaceAt,
} from "./canary-tree.js";
import {
  commandViolations,
  exportLeaks,
  exportSurvival,
  fsckViolations,
  gapViolations,
  undamagedFiles,
  walkViolations,
} from "./case-checks.js";
import { CLOSING_COMMANDS, type CommandRun, readCommands, runCommands } from "./case-commands.js";
import { changeClass } from "./change-classes.js";
import { CraftContext } from "./craft-context.js";
import type { ChangeClass, Crafted } from "./crafted-change.js";
import type { DeltaWorker } from "./delta-worker.js";
import type { CommandHost } from "./watched-run.js";

/** A change as fast-check generates and prints it: its class and its parameters. */
export interface PlannedChange {
  class: string;
  change: unknown;
}

export interface HostileCase {
  /** Whether the pond is the base with its deep chain. */
  deep: boolean;
  /** Local changes first, then at most one global one. */
  changes: PlannedChange[];
}

export function plannedChange(
  changeClass: ChangeClass<unknown>,
  base: BasePond,
): fc.Arbitrary<PlannedChange> {
  return changeClass.arbitrary(base).map((change) => ({ class: changeClass.name, change }));
}

/** What the cases share: the worker, the command hosts, the base ponds, a scratch directory. */
export interface HostileEnvironment {
  worker: DeltaWorker;
  /** The read commands of a case are shared among them; the closing ones run on the first. */
  hosts: CommandHost[];
  base: BasePond;
  /** The base with its deep chain, built by the first case that needs it. */
  deep?: BasePond;
  scratch: string;
}

/** What one case did and every violation found. */
export interface CaseReport {
  crafted: Crafted[];
  violations: string[];
}

async function craftAll(context: CraftContext, hostileCase: HostileCase): Promise<Crafted[]> {
  const crafted: Crafted[] = [];
  for (const planned of hostileCase.changes) {
    crafted.push(await changeClass(planned.class).craft(context, planned.change));
  }
  return crafted;
}

/**
 * A hole in the log or a symlinked `_delta_log` may rightly hide every row: beside a global
 * change, a local one must still do no harm but need not be reported or read as CORRUPT.
 */
function withoutReports(hostileCase: HostileCase) {
  return (crafted: Crafted, i: number): Crafted => {
    const planned = hostileCase.changes[i] as PlannedChange;
    if (changeClass(planned.class).scope === "global") return crafted;
    return { ...crafted, anomalies: [], corrupt: [] };
  };
}

/** Crafts the case in a fresh workspace, runs pond on it and checks everything. */
export async function runHostileCase(
  env: HostileEnvironment,
  hostileCase: HostileCase,
): Promise<CaseReport> {
  const base = hostileCase.deep ? env.deep : env.base;
  if (!base) throw new Error("the deep base pond is not built");
  const workspace = workspaceAt(await mkdtemp(join(env.scratch, "case-")));
  try {
    await cp(base.dir, workspace.pondDir, { recursive: true });
    await plantCanaries(workspace);
    const crafted = await craftAll(new CraftContext(env.worker, workspace, base), hostileCase);
    const clean = crafted.every((c) => c.anomalies.length === 0);
    const local = hostileCase.changes.every((c) => changeClass(c.class).scope === "local");
    const required = local ? crafted : crafted.map(withoutReports(hostileCase));
    const before = await ageAndSnapshot(workspace);
    const reads = await runCommands(readCommands(base, required, workspace), workspace, env.hosts);
    const closing = await runCommands(CLOSING_COMMANDS, workspace, env.hosts.slice(0, 1));
    const violations = [...reads, ...closing].flatMap((run) =>
      commandViolations(run, required, workspace),
    );
    const anomalies = required.flatMap((c) => c.anomalies);
    violations.push(...fsckViolations((closing[0] as CommandRun).run, anomalies, clean));
    violations.push(...(await exportLeaks(workspace)));
    violations.push(...gapViolations(workspace, crafted));
    if (local) {
      const files = undamagedFiles(base, crafted);
      const walk = reads.find((r) => r.command.args.join(" ") === "ls -l **") as CommandRun;
      violations.push(...walkViolations(walk.run, files, workspace));
      // A deep pond's export would need host paths longer than PATH_MAX.
      if (!hostileCase.deep) {
        violations.push(...(await exportSurvival(base, workspace.exportDirs[0] as string, files)));
      }
    }
    const changed = treeChanges(before, await snapshot(workspace));
    violations.push(...changed.map((c) => `outside the pond and the export targets: ${c}`));
    return { crafted, violations };
  } finally {
    await rm(workspace.root, { recursive: true, force: true });
  }
}

/** A failing case's report, for fast-check to print beside the case. */
export function describeFailure(report: CaseReport): string {
  return [
    "crafted:",
    ...report.crafted.map((c) => `  - ${c.what}`),
    "violations:",
    ...report.violations.map((v) => `  - ${v}`),
  ].join("\n");
}
