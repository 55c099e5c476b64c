// Where the crash and concurrency tests put their ponds: a scratch directory on disk, and a
// bucket of a SeaweedFS server started for the test file; each with the environment a writer
// process needs and the settings this process opens the pond with.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Server } from "@pond/delta-python";
import { afterAll, beforeAll } from "vitest";
import { startTestS3Server } from "./python.js";

export interface PondPlace {
  name: string;
  path(name: string): string;
  env(): Record<string, string>;
  options(): { storageOptions?: Record<string, string> };
}

/** Registers the file's server and scratch directory (removed afterwards); returns both places. */
export function usePondPlaces(prefix: string): [PondPlace, PondPlace] {
  const scratch = mkdtempSync(join(tmpdir(), `pond-${prefix}-`));
  let server: S3Server;
  beforeAll(async () => {
    server = await startTestS3Server();
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);
  return [
    { name: "on disk", path: (n) => join(scratch, n), env: () => ({}), options: () => ({}) },
    {
      name: "in a bucket",
      path: (n) => `s3://pond-test/${prefix}/${n}`,
      env: () => server.env,
      options: () => ({ storageOptions: server.storageOptions }),
    },
  ];
}
