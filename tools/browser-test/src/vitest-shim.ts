// vitest's test API inside a browser page: suites register as they do under vitest (the
// bundler maps "vitest" to this module), then `runRegisteredTests` runs them in order.

import { chai, JestAsymmetricMatchers, JestChaiExpect, JestExtend } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`: chai with vitest's matchers. */
export const expect = chai.expect;

type Body = () => unknown;

interface TestCase {
  kind: "test";
  name: string;
  fn: Body;
  skip: boolean;
}

interface Suite {
  kind: "suite";
  name: string;
  items: Array<Suite | TestCase>;
  beforeEach: Body[];
  afterEach: Body[];
  beforeAll: Body[];
  afterAll: Body[];
}

/** One test's outcome, named by its suites and itself as vitest names it. */
export interface TestResult {
  name: string;
  state: "pass" | "fail" | "skip";
  error?: string;
}

const newSuite = (name: string): Suite => ({
  kind: "suite",
  name,
  items: [],
  beforeEach: [],
  afterEach: [],
  beforeAll: [],
  afterAll: [],
});

const root = newSuite("");
let current = root;

export function describe(name: string, fn: () => void): void {
  const suite = newSuite(name);
  current.items.push(suite);
  const outer = current;
  current = suite;
  try {
    fn();
  } finally {
    current = outer;
  }
}

function register(skip: boolean, name: string, fn: Body): void {
  current.items.push({ kind: "test", name, fn, skip });
}

type It = ((name: string, fn: Body) => void) & {
  skip(name: string, fn: Body): void;
  skipIf(condition: unknown): (name: string, fn: Body) => void;
};

export const it: It = Object.assign((name: string, fn: Body) => register(false, name, fn), {
  skip: (name: string, fn: Body) => register(true, name, fn),
  skipIf: (condition: unknown) => (name: string, fn: Body) =>
    register(Boolean(condition), name, fn),
});
export const test = it;

export const beforeEach = (fn: Body) => void current.beforeEach.push(fn);
export const afterEach = (fn: Body) => void current.afterEach.push(fn);
export const beforeAll = (fn: Body) => void current.beforeAll.push(fn);
export const afterAll = (fn: Body) => void current.afterAll.push(fn);

/** Runs every registered test in registration order, hooks as vitest runs them. */
export async function runRegisteredTests(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  await runSuite(root, [], [], results);
  return results;
}

async function runSuite(
  suite: Suite,
  names: string[],
  outer: Suite[],
  results: TestResult[],
): Promise<void> {
  const chain = [...outer, suite];
  for (const hook of suite.beforeAll) await hook();
  for (const item of suite.items) {
    if (item.kind === "suite") {
      await runSuite(item, [...names, item.name], chain, results);
      continue;
    }
    const name = [...names, item.name].join(" > ");
    if (item.skip) {
      results.push({ name, state: "skip" });
      continue;
    }
    let error: unknown;
    try {
      for (const s of chain) for (const hook of s.beforeEach) await hook();
      await item.fn();
    } catch (thrown) {
      error = thrown;
    }
    for (const s of [...chain].reverse()) {
      for (const hook of s.afterEach) {
        try {
          await hook();
        } catch (thrown) {
          error ??= thrown;
        }
      }
    }
    results.push(
      error === undefined
        ? { name, state: "pass" }
        : { name, state: "fail", error: explain(error) },
    );
  }
  for (const hook of suite.afterAll) await hook();
}

function explain(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs the registered tests and leaves their results where {@link runInPage} reads them. */
export async function reportRegisteredTests(): Promise<void> {
  let results: TestResult[];
  try {
    results = await runRegisteredTests();
  } catch (error) {
    results = [{ name: "(suite hooks)", state: "fail", error: explain(error) }];
  }
  (globalThis as { pondTestResults?: TestResult[] }).pondTestResults = results;
}
