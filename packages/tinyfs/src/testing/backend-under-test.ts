// What a backend hands the conformance suite and the property test: how to make (and reopen) a pond.

import type { FS } from "../fs.js";

/** A pond backend as the shared test suites see it. */
export interface BackendUnderTest {
  /** Shown in the describe blocks, e.g. "memory". */
  name: string;
  /** A new, empty pond (history holds only version 0). */
  create(): Promise<FS>;
  /**
   * Closes `fs` and opens the same pond again, as a new process would. When
   * given, every test runs a second time with the pond reopened between its
   * set-up and its assertions.
   */
  reopen?(fs: FS): Promise<FS>;
}
