// In the page: the conformance suite against the browser builds of the memory backend and tinyfs.

import { reportRegisteredTests } from "@pond/browser-test/vitest-shim";
import { runConformanceSuite } from "@pond/tinyfs/testing";
import { createMemoryFs } from "../index.js";

runConformanceSuite({ name: "memory (in Chromium)", create: createMemoryFs });
await reportRegisteredTests();
