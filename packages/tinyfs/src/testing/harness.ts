// The per-test pond handle of the conformance suite: set-up, a reopen point, and clean-up.

import { afterEach } from "vitest";
import { PondError } from "../errors.js";
import type { FS } from "../fs.js";
import type { WD } from "../wd.js";
import type { BackendUnderTest } from "./backend-under-test.js";

/** One pond under test. `fs` and `root` change when {@link step} reopens it. */
export interface Pond {
  readonly fs: FS;
  readonly root: WD;
  /** Between set-up and assertions: nothing normally, close and reopen in the reopen mode. */
  step(): Promise<void>;
  /** Closes `fs` at the end of the test (for views from `atVersion`). */
  track<T extends FS>(fs: T): T;
}

/** What each area of the conformance suite registers its tests with. */
export interface SuiteContext {
  backend: BackendUnderTest;
  /** True in the "(reopened between steps)" run. */
  reopening: boolean;
  /** A new empty pond, closed after the test. */
  pond(): Promise<Pond>;
}

/** Registers the clean-up hook in the current describe block and returns the context. */
export function suiteContext(backend: BackendUnderTest, reopening: boolean): SuiteContext {
  const open: FS[] = [];
  afterEach(async () => {
    const toClose = open.splice(0).reverse();
    for (const fs of toClose) {
      await fs.close().catch((error: unknown) => {
        if (!PondError.is(error, "CLOSED")) throw error;
      });
    }
  });
  const track = <T extends FS>(fs: T): T => {
    open.push(fs);
    return fs;
  };
  return {
    backend,
    reopening,
    async pond(): Promise<Pond> {
      let fs = track(await backend.create());
      return {
        get fs() {
          return fs;
        },
        get root() {
          return fs.root();
        },
        async step() {
          if (!reopening || !backend.reopen) return;
          fs = track(await backend.reopen(fs));
        },
        track,
      };
    },
  };
}
