// @pond/tinyfs/testing: the shared conformance suite and property test every backend runs.

export type { BackendUnderTest } from "./backend-under-test.js";
export { runConformanceSuite } from "./conformance-suite.js";
export { type PropertyTestOptions, runPropertyTest } from "./property-test.js";
export { type ReopenablePonds, reopenableBackend } from "./reopenable-backend.js";
