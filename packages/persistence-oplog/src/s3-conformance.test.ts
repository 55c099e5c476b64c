// The oplog backend with its tables in a bucket of a real S3 server (SeaweedFS, started here)
// runs the shared conformance suite and the property test, reopening the pond between steps.

import type { S3Server } from "@pond/delta-python";
import { reopenableBackend, runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { afterAll, beforeAll } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";
import { startTestS3Server } from "./test-workers/python.js";

let server: S3Server;
beforeAll(async () => {
  server = await startTestS3Server();
}, 600_000);
afterAll(() => server?.stop(), 60_000);

let next = 0;
const place = () => `s3://pond-test/conformance/pond-${next++}`;
const settings = () => ({ storageOptions: server.storageOptions });

const backend = reopenableBackend("oplog in a bucket", {
  place,
  create: (url) => createOplogFs(url, settings()),
  open: (url) => openOplogFs(url, settings()),
});

runConformanceSuite(backend);
runPropertyTest(backend, { runs: 10 });
