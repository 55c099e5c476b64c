// The end-to-end scenario, once per backend: in memory, and on a real Delta table.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryFs } from "@pond/persistence-memory";
import { createOplogFs, openOplogFs } from "@pond/persistence-oplog";
import type { FS } from "@pond/tinyfs";
import { afterAll } from "vitest";
import { describeDerivedEndToEnd } from "./testing/end-to-end-suite.js";

describeDerivedEndToEnd({ name: "memory", create: createMemoryFs });

const scratch = mkdtempSync(join(tmpdir(), "pond-derived-e2e-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
const paths = new WeakMap<FS, string>();
let next = 0;

describeDerivedEndToEnd({
  name: "oplog",
  async create() {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    paths.set(fs, path);
    return fs;
  },
  async reopen(fs) {
    const path = paths.get(fs) as string;
    await fs.close();
    const reopened = await openOplogFs(path);
    paths.set(reopened, path);
    return reopened;
  },
});
