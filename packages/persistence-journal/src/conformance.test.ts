// The journal backend runs the shared conformance suite and property test, reopening the file.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reopenableBackend, runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { afterAll } from "vitest";
import { createJournalFs, openJournalFs } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "pond-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let ponds = 0;

const backend = reopenableBackend("journal", {
  place: () => join(dir, `${ponds++}.pond`),
  create: createJournalFs,
  open: (path) => openJournalFs(path),
});

runConformanceSuite(backend);
runPropertyTest(backend);
