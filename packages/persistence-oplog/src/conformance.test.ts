// The oplog backend runs the shared conformance suite and property test on real Delta tables.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reopenableBackend, runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { afterAll } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-oplog-conformance-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 120_000);

let next = 0;
const place = () => join(scratch, `pond-${next++}`);
const open = (path: string) => openOplogFs(path);

const backend = reopenableBackend("oplog", { place, create: (path) => createOplogFs(path), open });

runConformanceSuite(backend);
runPropertyTest(backend, { runs: 25 });

// Snapshots every other change, so replay from a snapshot is exercised at every step.
runPropertyTest(
  reopenableBackend("oplog with directory snapshots every 2 changes", {
    place,
    create: (path) => createOplogFs(path, { directorySnapshotInterval: 2, checkpointInterval: 3 }),
    open,
  }),
  { runs: 25 },
);
