// @pond/derived brings apache-arrow and parquet-wasm, a tenth of a second to load: only the
// commands that need it load it, so the others start faster.

import { homedir } from "node:os";
import { join } from "node:path";
import type { DerivedFileManager } from "@pond/derived";
import type { FS } from "@pond/tinyfs";

export const loadDerived = () => import("@pond/derived");

/**
 * The manager every command computes through. Incremental rollups keep their state in
 * $POND_CACHE_DIR (default ~/.cache/pond/derived), so the next command only folds in what is new;
 * deleting the directory only costs time.
 */
export async function derivedManager(fs: FS): Promise<DerivedFileManager> {
  const cacheDir = process.env.POND_CACHE_DIR || join(homedir(), ".cache", "pond", "derived");
  return new (await loadDerived()).DerivedFileManager(fs, { cacheDir });
}
