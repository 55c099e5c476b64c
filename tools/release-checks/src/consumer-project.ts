// A project outside the workspace that installs pond's tarballs with plain npm, as a user would,
// and runs commands in it.

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tarball } from "./pack.js";

const FIXTURES = fileURLToPath(new URL("../fixtures", import.meta.url));

/**
 * The other packages a user installs beside pond: the peers pond's READMEs name (apache-arrow
 * for @pond/derived, vitest for @pond/tinyfs/testing; not fast-check, which only the property
 * test needs), and TypeScript with Node's types for the type checks.
 */
const ALONGSIDE = ["apache-arrow@^21", "vitest@^4.1", "typescript@6.0.3", "@types/node@^20"];

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class ConsumerProject {
  private constructor(readonly dir: string) {}

  /** A new project with pond installed from `tarballs`, and the fixtures copied in. */
  static create(tarballs: readonly Tarball[]): ConsumerProject {
    const project = new ConsumerProject(mkdtempSync(join(tmpdir(), "pond-consumer-")));
    const manifest = { name: "pond-consumer", private: true, type: "module" };
    writeFileSync(join(project.dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    cpSync(FIXTURES, project.dir, { recursive: true });
    const npm = project.run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs.map((t) => t.file),
      ...ALONGSIDE,
    ]);
    if (npm.status !== 0) throw new Error(`npm install failed:\n${npm.stderr}`);
    return project;
  }

  run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunResult {
    const result: SpawnSyncReturns<string> = spawnSync(command, args, {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
      maxBuffer: 64 << 20,
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.dir, file), text);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
