// The memory backend runs the shared conformance suite and property test; a new FS over the
// same MemoryPersistence stands for a reopen.

import { FS } from "@pond/tinyfs";
import { reopenableBackend, runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { MemoryPersistence } from "./index.js";

const backend = reopenableBackend("memory", {
  place: () => new MemoryPersistence(),
  create: async (persistence) => new FS(persistence),
  open: async (persistence) => new FS(persistence),
});

runConformanceSuite(backend);
runPropertyTest(backend);
