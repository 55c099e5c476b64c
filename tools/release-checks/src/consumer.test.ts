// pond as a user gets it: every package packed, installed with plain npm into a project outside
// the workspace, and used there through its published entry points, types and command.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConsumerProject, type RunResult } from "./consumer-project.js";
import { WORKSPACE } from "./pack.js";
import { readmeExample } from "./readme-example.js";

const tarballs = inject("tarballs");
let project: ConsumerProject;

beforeAll(() => {
  project = ConsumerProject.create(tarballs);
  mkdirSync(join(project.dir, "examples"));
  for (const { readme, heading } of EXAMPLES) {
    const markdown = readFileSync(join(WORKSPACE, readme), "utf8");
    project.write(exampleFile(readme), readmeExample(markdown, heading));
  }
});

afterAll(() => project?.remove());

/** The standard output of a command that must succeed. */
function ok(result: RunResult): string {
  if (result.status !== 0) throw new Error(`exit status ${result.status}\n${result.stderr}`);
  return result.stdout;
}

const exampleFile = (readme: string) => `examples/${readme.replace(/\W+/g, "-")}.mjs`;

// Each README's example, run as written; a line it must print shows it did its work.
const EXAMPLES = [
  { readme: "README.md", heading: "Using pond from code", prints: "1 import readings" },
  { readme: "packages/tinyfs/README.md", heading: "Example", prints: "no such file" },
  { readme: "packages/persistence-memory/README.md", heading: "Example", prints: "first" },
  { readme: "packages/persistence-oplog/README.md", heading: "Example", prints: "import readings" },
  { readme: "packages/derived/README.md", heading: "Example", prints: "2" },
];

describe("installed from its tarballs", () => {
  it("packs every public package, and the addon only in its platform package", () => {
    const names = tarballs.map((t) => t.name);
    expect(names.slice(0, -1).sort()).toEqual([
      "@pond/cli",
      "@pond/derived",
      "@pond/persistence-journal",
      "@pond/persistence-memory",
      "@pond/persistence-oplog",
      "@pond/tinyfs",
    ]);
    expect(names.at(-1)).toMatch(/^@pond\/persistence-oplog-(linux|darwin|win32)-/);
    const main = ok(project.run("tar", ["tzf", tarballFor("@pond/persistence-oplog")]));
    expect(main).toContain("package/native/index.cjs");
    expect(main).not.toMatch(/\.node$/m);
    expect(ok(project.run("tar", ["tzf", tarballs.at(-1)?.file ?? ""]))).toMatch(/\.node$/m);
  });

  it.each(EXAMPLES)("runs the example of $readme", ({ readme, prints }) => {
    const lines = ok(project.run("node", [exampleFile(readme)])).split("\n");
    expect(lines.some((line) => line.includes(prints))).toBe(true);
  });

  it("runs one function on the memory and the op-log backend with identical output", () => {
    const { memory, oplog } = JSON.parse(ok(project.run("node", ["same-output.mjs"])));
    expect(memory.length).toBeGreaterThan(10);
    expect(oplog).toEqual(memory);
  });

  it("builds the demo pond with npx pond demo and downsamples it", () => {
    expect(ok(project.run("npx", ["pond", "demo"]))).toContain("pond-demo");
    const downsample = ok(
      project.run("npx", [
        "pond",
        "--pond",
        "pond-demo",
        "downsample",
        "/sensors/latest",
        "--resolution",
        "1d",
      ]),
    );
    expect(downsample).toMatch(/^1d\s+7\s/m);
    expect(ok(project.run("npx", ["pond", "--version"]))).toMatch(/^pond \d+\.\d+\.\d+/);
  });

  it.each(["nodenext", "bundler"])("type-checks a user's code under %s resolution", (mode) => {
    const tsc = project.run("npx", ["tsc", "-p", `tsconfig.${mode}.json`]);
    expect(tsc.stdout).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("runs the conformance suite from a third party's vitest file, without fast-check", () => {
    expect(project.run("npm", ["ls", "fast-check"]).stdout).not.toContain("fast-check@");
    const out = ok(
      project.run("npx", ["vitest", "run", "conformance.test.ts", "--reporter=json"], {
        CI: "true",
      }),
    );
    const report = JSON.parse(out.slice(out.indexOf("{")));
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThan(100);
  });

  const requiresEsm = (process.features as { require_module?: boolean }).require_module === true;
  it.runIf(requiresEsm)("loads every package with require()", () => {
    expect(ok(project.run("node", ["require.cjs"]))).toContain("@pond/persistence-oplog:");
  });
});

function tarballFor(name: string): string {
  const tarball = tarballs.find((t) => t.name === name);
  if (!tarball) throw new Error(`no tarball of ${name}`);
  return tarball.file;
}
