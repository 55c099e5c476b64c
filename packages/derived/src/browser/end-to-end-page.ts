// In the page: the derived-files scenario over an in-memory pond, Parquet through parquet-wasm's
// browser build.

import { reportRegisteredTests } from "@pond/browser-test/vitest-shim";
import { createMemoryFs } from "@pond/persistence-memory";
import { describeDerivedEndToEnd } from "../testing/end-to-end-suite.js";

describeDerivedEndToEnd({ name: "memory (in Chromium)", create: createMemoryFs });
await reportRegisteredTests();
