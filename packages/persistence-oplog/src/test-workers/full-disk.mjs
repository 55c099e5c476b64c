// Run on a small tmpfs (see large-file-claims.test.ts): a pond whose disk fills while a
// transaction stores large files. Usage: node full-disk.mjs POND_PATH; prints one JSON line.

import { readdirSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { createOplogFs } from "../../dist/index.js";

const [path] = process.argv.slice(2);
const fs = await createOplogFs(path);
await fs.root().writeFile("/before.txt", "written before the disk filled");
const blobs = () => readdirSync(join(path, "_large_files")).filter((n) => !n.startsWith("."));
const free = () => {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
};
const room = free();
const chunk = (fill) => new Uint8Array(256 * 1024).fill(fill);
const outcome = {};
try {
  await fs.transaction(async (root) => {
    // Fits: stored, and this transaction's own.
    await root.writeFile("/first.bin", new Uint8Array(Math.floor(room * 0.6)).fill(1));
    // Does not fit, streamed.
    await root.writeFileFrom(
      "/second.bin",
      (async function* () {
        for (let i = 0; i * chunk(0).length < room; i++) yield chunk(2);
      })(),
    );
  });
  outcome.committed = true;
} catch (error) {
  outcome.code = error.code;
  outcome.message = error.message;
}
try {
  await fs.root().writeFile("/too-big.bin", new Uint8Array(room + 1024 * 1024).fill(4));
} catch (error) {
  outcome.wholeCode = error.code;
}
outcome.blobsAfterFailure = blobs();
outcome.roomBack = free() >= room - 64 * 1024;
try {
  await fs.root().writeFile("/after.bin", new Uint8Array(Math.floor(room * 0.6)).fill(3));
  outcome.writtenAfter = (await fs.root().readFile("/after.bin")).length;
} catch (error) {
  outcome.afterError = error.message;
}
outcome.listing = (await fs.root().readdir("/")).map((e) => e.name);
await fs.close();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
