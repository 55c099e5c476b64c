// A fresh memory pond and derived file manager for each test of a file.

import { createMemoryFs } from "@pond/persistence-memory";
import type { FS } from "@pond/tinyfs";
import { afterEach, beforeEach } from "vitest";
import { DerivedFileManager } from "../derived-file-manager.js";

/** Made before each test of the calling file and closed after it. */
export interface PondUnderTest {
  readonly fs: FS;
  readonly manager: DerivedFileManager;
}

export function freshPondPerTest(): PondUnderTest {
  const current = {} as { fs: FS; manager: DerivedFileManager };
  beforeEach(async () => {
    current.fs = await createMemoryFs();
    current.manager = new DerivedFileManager(current.fs);
  });
  afterEach(async () => {
    await current.manager.close();
    await current.fs.close();
  });
  return current;
}
