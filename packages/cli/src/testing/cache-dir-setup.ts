// The commands' derived-result cache directory, for a test run: one of its own, removed after.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "pond-cli-cache-"));
  process.env.POND_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
