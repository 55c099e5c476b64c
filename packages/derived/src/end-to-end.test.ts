// The end-to-end scenario, once per backend. The oplog backend joins the list
// once @pond/persistence-oplog builds (a devDependency, a temp-dir factory and
// a reopen that opens the same directory again).

import { createMemoryFs } from "@pond/persistence-memory";
import { describeDerivedEndToEnd } from "./testing/end-to-end-suite.js";

describeDerivedEndToEnd({ name: "memory", create: createMemoryFs });
