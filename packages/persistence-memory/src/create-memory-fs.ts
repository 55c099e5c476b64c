// The memory-backed pond factory.

import { FS } from "@pond/tinyfs";
import { MemoryPersistence } from "./memory-persistence.js";

/** A new, empty pond held in memory. */
export async function createMemoryFs(): Promise<FS> {
  return new FS(new MemoryPersistence());
}
