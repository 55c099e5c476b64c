// Hostile ponds: random crafted changes of every kind to a real pond, and every command of pond
// run on it inside a canary tree. POND_HOSTILE_RUNS sets about how many ponds (default 300, local
// classes with one to five changes each), POND_HOSTILE_SEED the seed. The commands run in two
// command hosts (watched-run.ts): each is pond's own main, watched for memory, time and crashes.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBasePond, buildDeepPond } from "./base-pond.js";
import { CHANGE_CLASSES } from "./change-classes.js";
import { cycles } from "./changes/cycles.js";
import { entryNames } from "./changes/entry-names.js";
import { symlinkLoops } from "./changes/symlink-loops.js";
import { DeltaWorker } from "./delta-worker.js";
import {
  describeFailure,
  type HostileCase,
  type HostileEnvironment,
  plannedChange,
  runHostileCase,
} from "./hostile-case.js";
import { CommandHost } from "./watched-run.js";

const RUNS = Number(process.env.POND_HOSTILE_RUNS ?? 300);
const SEED = Number(process.env.POND_HOSTILE_SEED ?? 1204);

let env: HostileEnvironment;
beforeAll(async () => {
  const scratch = await mkdtemp(join(tmpdir(), "pond-hostile-"));
  const worker = DeltaWorker.start();
  const hosts = [new CommandHost(), new CommandHost()];
  env = { worker, hosts, base: await buildBasePond(join(scratch, "base"), worker), scratch };
}, 600_000);
afterAll(async () => {
  env?.worker.close();
  for (const host of env?.hosts ?? []) host.close();
  if (env) await rm(env.scratch, { recursive: true, force: true });
});

async function holds(hostileCase: HostileCase): Promise<void> {
  const report = await runHostileCase(env, hostileCase);
  if (report.violations.length > 0) throw new Error(describeFailure(report));
}

function check(arbitrary: fc.Arbitrary<HostileCase>, share: number): Promise<void> {
  const numRuns = Math.max(1, Math.round(RUNS * share));
  return fc.assert(fc.asyncProperty(arbitrary, holds), { seed: SEED, numRuns });
}

const LOCAL = CHANGE_CLASSES.filter((c) => c.scope === "local");
const GLOBAL = CHANGE_CLASSES.filter((c) => c.scope === "global");
/** Each class's share of the runs; the rest go to mixed changes and to huge depth. */
const CLASS_SHARE = 0.05;
const MIXED_SHARE = 0.3;
/** Each command on the deep pond reads thousands of partitions: few runs. */
const DEEP_SHARE = 0.02;

describe("hostile ponds", { timeout: 0 }, () => {
  it("an untouched pond passes every check", async () => {
    const report = await runHostileCase(env, { deep: false, changes: [] });
    expect(report.violations).toEqual([]);
  });

  for (const changeClass of LOCAL) {
    it(`${changeClass.name}: no escape, bounded, one error line, fsck reports each`, () =>
      check(
        fc
          .array(plannedChange(changeClass, env.base), { minLength: 1, maxLength: 5 })
          .map((changes) => ({ deep: false, changes })),
        CLASS_SHARE,
      ));
  }

  for (const changeClass of GLOBAL) {
    it(`${changeClass.name}: no escape, bounded, one error line, fsck reports it`, () =>
      check(
        plannedChange(changeClass, env.base).map((change) => ({ deep: false, changes: [change] })),
        CLASS_SHARE,
      ));
  }

  it("huge depth: every walk bounded, alone or with a cycle, a bad name or a symlink loop", async () => {
    const deep = await buildDeepPond(env.base, join(env.scratch, "deep"), env.worker);
    env.deep = deep;
    const changes = [cycles, entryNames, symlinkLoops].map((c) => plannedChange(c, deep));
    await check(
      fc
        .array(fc.oneof(...changes), { maxLength: 2 })
        .map((list) => ({ deep: true, changes: list })),
      DEEP_SHARE,
    );
  });

  it("mixed: several local changes and a global one in one pond", () =>
    check(
      fc
        .record({
          locals: fc.array(fc.oneof(...LOCAL.map((c) => plannedChange(c, env.base))), {
            minLength: 1,
            maxLength: 5,
          }),
          global: fc.option(fc.oneof(...GLOBAL.map((c) => plannedChange(c, env.base)))),
        })
        .map(({ locals, global }) => ({
          deep: false,
          changes: global ? [...locals, global] : locals,
        })),
      MIXED_SHARE,
    ));
});
