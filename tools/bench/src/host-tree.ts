// The host tree the op-log and remote benches import: small files of unique random bytes.

import { randomFillSync } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOplogFs } from "@pond/persistence-oplog";

/**
 * `dirs` × `files` files of 1 KiB under `root`/tree, each of its own random bytes (git cannot
 * share blobs, nor a store deduplicate objects).
 */
export function makeHostTree(root: string, dirs: number, files: number): string {
  const tree = join(root, "tree");
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) {
      writeFileSync(join(tree, `d${d}`, `f${f}.bin`), randomFillSync(new Uint8Array(1024)));
    }
  }
  return tree;
}

/** Imports a host tree into a new pond in one transaction. */
export async function importTree(tree: string, pond: string): Promise<void> {
  const fs = await createOplogFs(pond);
  await fs.transaction(async (root) => {
    for (const dir of readdirSync(tree)) {
      await root.createDirPath(`/${dir}`);
      for (const file of readdirSync(join(tree, dir))) {
        await root.writeFile(`/${dir}/${file}`, readFileSync(join(tree, dir, file)));
      }
    }
  });
  await fs.close();
}
