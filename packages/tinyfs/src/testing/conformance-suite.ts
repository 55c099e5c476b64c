// The backend conformance suite: every behaviour of the pond contract, registered as vitest tests.

import { describe } from "vitest";
import type { BackendUnderTest } from "./backend-under-test.js";
import { contentSizeTests } from "./conformance/content-sizes.js";
import { directoryTests } from "./conformance/directories.js";
import { dynamicNodeTests } from "./conformance/dynamic-nodes.js";
import { fileTests } from "./conformance/files.js";
import { globTests } from "./conformance/glob.js";
import { historyTests } from "./conformance/history.js";
import { lifecycleTests } from "./conformance/lifecycle.js";
import { nameTests } from "./conformance/names.js";
import { pathTests } from "./conformance/paths.js";
import { readdirTests } from "./conformance/readdir.js";
import { removeTests } from "./conformance/remove.js";
import { renameTests } from "./conformance/rename.js";
import { statTests } from "./conformance/stat.js";
import { symlinkTests } from "./conformance/symlinks.js";
import { transactionTests } from "./conformance/transactions.js";
import { walkTests } from "./conformance/walk.js";
import { type SuiteContext, suiteContext } from "./harness.js";

const AREAS: ReadonlyArray<(ctx: SuiteContext) => void> = [
  pathTests,
  nameTests,
  directoryTests,
  fileTests,
  dynamicNodeTests,
  contentSizeTests,
  statTests,
  symlinkTests,
  readdirTests,
  removeTests,
  renameTests,
  globTests,
  walkTests,
  transactionTests,
  historyTests,
  lifecycleTests,
];

/**
 * Registers the conformance suite for `backend` in the calling test file.
 * With `backend.reopen`, the whole suite runs a second time with the pond
 * closed and reopened between each test's set-up and its assertions.
 */
export function runConformanceSuite(backend: BackendUnderTest): void {
  describe(`${backend.name} backend conformance`, () => {
    const ctx = suiteContext(backend, false);
    for (const area of AREAS) area(ctx);
  });
  if (backend.reopen) {
    describe(`${backend.name} backend conformance (reopened between steps)`, () => {
      const ctx = suiteContext(backend, true);
      for (const area of AREAS) area(ctx);
    });
  }
}
