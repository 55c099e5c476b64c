// The property test: random operation sequences must give the same results on a backend as on the model.

import { describe, it } from "vitest";
import type { BackendUnderTest } from "./backend-under-test.js";
import { PropertyRun } from "./property-run.js";

export interface PropertyTestOptions {
  /** Sequences to try (default 100; a quarter of that in the reopen run). */
  runs?: number;
  /** Longest sequence (default 30 top-level steps; a transaction counts as one). */
  steps?: number;
  /**
   * fast-check seed. Default: the POND_PROPERTY_SEED environment variable, or
   * a fixed seed, so every run of the suite tries the same sequences; a
   * failure prints the seed and the shrunk sequence.
   */
  seed?: number;
  /** Per-test timeout in milliseconds (default 120 000). */
  timeout?: number;
}

const DEFAULT_SEED = 0x9e3779b9 | 0;

function seedFrom(options: PropertyTestOptions): number {
  if (options.seed !== undefined) return options.seed;
  const env = typeof process === "undefined" ? undefined : process.env.POND_PROPERTY_SEED;
  const parsed = env === undefined || env === "" ? Number.NaN : Number(env);
  return Number.isInteger(parsed) ? parsed : DEFAULT_SEED;
}

/**
 * Registers the property test for `backend`: sequences of mkdir, writeFile,
 * symlink, remove, rename, reads, glob, cd, transactions (committing or
 * throwing, with failing and nested operations inside), time travel and
 * history, each result and error code compared with {@link PondModel}. With
 * `backend.reopen`, a second property also reopens the pond between steps.
 */
export function runPropertyTest(
  backend: BackendUnderTest,
  options: PropertyTestOptions = {},
): void {
  const runs = options.runs ?? 100;
  const steps = options.steps ?? 30;
  const seed = seedFrom(options);
  const timeout = options.timeout ?? 120_000;

  const check = async (withReopen: boolean, numRuns: number) => {
    const { fc, runArb } = await loadFastCheck();
    const property = fc.asyncProperty(runArb(steps, withReopen), async (ops) => {
      await new PropertyRun(backend).run(ops);
    });
    await fc.assert(property, { numRuns, seed, includeErrorInReport: true });
  };

  describe(`${backend.name} backend property test`, () => {
    it("random operation sequences agree with the model", () => check(false, runs), timeout);
    if (backend.reopen) {
      it(
        "random operation sequences with reopens agree with the model",
        () => check(true, Math.max(1, Math.floor(runs / 4))),
        timeout,
      );
    }
  });
}

// fast-check is needed by the property test alone, so the conformance suite runs without it.
async function loadFastCheck() {
  try {
    const [{ default: fc }, { runArb }] = await Promise.all([
      import("fast-check"),
      import("./operations.js"),
    ]);
    return { fc, runArb };
  } catch (error) {
    throw new Error("runPropertyTest needs fast-check: npm install --save-dev fast-check", {
      cause: error,
    });
  }
}
