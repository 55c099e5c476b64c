// Commands that only list or print start without loading apache-arrow or parquet-wasm: Node takes
// about a tenth of a second to load their modules, more than the rest of a small `pond ls`.

import { describe, expect, it } from "vitest";
import { useSandbox } from "./testing/run-pond.js";

// NODE_OPTIONS reaches the child only: a resolve hook that fails the run if either is loaded.
const hook = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/node_modules\\/(apache-arrow|parquet-wasm)\\//.test(resolved.url)) throw new Error("loaded " + resolved.url);
  return resolved;
}`;
const register = `import { register } from "node:module"; register("data:text/javascript,${encodeURIComponent(hook)}");`;
const env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(register)}` };

describe("a command's start", () => {
  const sandbox = useSandbox();

  it("init, mkdir, ls and log load neither apache-arrow nor parquet-wasm", async () => {
    const { run: pond, pondDir } = sandbox();
    for (const args of [["init"], ["mkdir", "/a"], ["ls", "-l", "/"], ["log"]]) {
      const run = await pond(["--pond", pondDir, ...args], env);
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
    }
  });
});
