// Packs pond once for every test file of the run.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { packAll, type Tarball } from "./pack.js";

declare module "vitest" {
  export interface ProvidedContext {
    tarballs: Tarball[];
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "pond-tarballs-"));
  project.provide("tarballs", packAll(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
