// Ponds changed behind pond's back, for tests: directory records appended by the delta-rs Python
// package, as another Delta writer (or whoever crafted a pond someone sends) would append them.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deltalakePython } from "@pond/delta-python";
import { openOplogFs } from "@pond/persistence-oplog";
import type { EntryType, NodeId } from "@pond/tinyfs";

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VENV = join(PACKAGE_ROOT, ".venv");
const SCRIPT = fileURLToPath(new URL("./append_directory_record.py", import.meta.url));

/** A name to bind in a directory, to any node: nothing checks it but the reader. */
export interface CraftedEntry {
  name: string;
  nodeId: NodeId;
  partId: NodeId;
  entryType: EntryType;
}

/**
 * Binds `entries` in the pond directory at `dirPath` with one more record of that directory,
 * committed as a new pond version by the delta-rs Python package.
 */
export async function craftEntries(
  pondDir: string,
  dirPath: string,
  entries: readonly CraftedEntry[],
): Promise<void> {
  const fs = await openOplogFs(pondDir, { readOnly: true });
  let record: Record<string, unknown>;
  try {
    const dir = await fs.root().stat(dirPath);
    const count = (await fs.root().readdir(dirPath)).length;
    record = {
      dir: dir.nodeId,
      version: dir.version + 1,
      size: count + entries.length,
      entries: entries.map((e) => ({
        name: e.name,
        node_id: e.nodeId,
        part_id: e.partId,
        entry_type: e.entryType,
      })),
    };
  } finally {
    await fs.close();
  }
  execFileSync(deltalakePython(VENV), [SCRIPT, pondDir], { input: JSON.stringify(record) });
}

/** The entry to craft for what `path` names now: the same node under another name. */
export async function entryOf(pondDir: string, path: string, name: string): Promise<CraftedEntry> {
  const fs = await openOplogFs(pondDir, { readOnly: true });
  try {
    const meta = await fs.root().lstat(path);
    return { name, nodeId: meta.nodeId, partId: meta.partId, entryType: meta.entryType };
  } finally {
    await fs.close();
  }
}
