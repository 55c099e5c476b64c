// The oplog backend runs the shared conformance suite and property test on real Delta tables.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FS } from "@pond/tinyfs";
import { runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { afterAll } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-oplog-conformance-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 120_000);

const paths = new WeakMap<FS, string>();
let next = 0;

const backend = {
  name: "oplog",
  async create(): Promise<FS> {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    paths.set(fs, path);
    return fs;
  },
  async reopen(fs: FS): Promise<FS> {
    const path = paths.get(fs) as string;
    await fs.close();
    const reopened = await openOplogFs(path);
    paths.set(reopened, path);
    return reopened;
  },
};

runConformanceSuite(backend);
runPropertyTest(backend, { runs: 25 });

// Snapshots every other change, so replay from a snapshot is exercised at every step.
runPropertyTest(
  {
    ...backend,
    name: "oplog with directory snapshots every 2 changes",
    async create() {
      const path = join(scratch, `pond-${next++}`);
      const fs = await createOplogFs(path, { directorySnapshotInterval: 2, checkpointInterval: 3 });
      paths.set(fs, path);
      return fs;
    },
  },
  { runs: 25 },
);
