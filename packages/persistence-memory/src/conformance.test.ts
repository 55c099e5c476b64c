// The memory backend runs the shared conformance suite and property test.

import { runConformanceSuite, runPropertyTest } from "@pond/tinyfs/testing";
import { createMemoryFs } from "./index.js";

const backend = { name: "memory", create: createMemoryFs };

runConformanceSuite(backend);
runPropertyTest(backend);
