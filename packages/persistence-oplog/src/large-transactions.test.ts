// A transaction of more inline bytes than one Arrow array holds (2 GiB) commits as one version.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-large-transactions-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);

const FILE_BYTES = 60 * 1024; // inline: under the 64 KiB large-file threshold
const DIRS = 6;
const FILES_PER_DIR = 6000; // 36,000 files, 2.2 GB in all

function content(dir: number, file: number): Uint8Array {
  const bytes = new Uint8Array(FILE_BYTES).fill(file & 0xff);
  bytes[0] = dir;
  bytes[1] = file >> 8;
  return bytes;
}

describe("a transaction of more than 2 GiB of inline contents", () => {
  it("commits as one version that this process, a process behind it and a new one read", async () => {
    const path = join(scratch, "pond");
    const writer = await createOplogFs(path);
    const behind = await openOplogFs(path);
    await writer.transaction(async (root) => {
      for (let d = 0; d < DIRS; d++) {
        await root.createDirPath(`/d${d}`);
        for (let f = 0; f < FILES_PER_DIR; f++) {
          await root.writeFile(`/d${d}/f${f}`, content(d, f));
        }
      }
    });
    expect(await writer.version()).toBe(1);
    const last = `/d${DIRS - 1}/f${FILES_PER_DIR - 1}`;
    expect(await writer.root().readFile(last)).toEqual(content(DIRS - 1, FILES_PER_DIR - 1));

    // Catching up reads the version's records, not its 2 GB of file contents.
    await behind.transaction(async (root) => {
      expect((await root.readdir("/d3")).length).toBe(FILES_PER_DIR);
      expect(await root.readFile("/d3/f4321")).toEqual(content(3, 4321));
      await root.writeFile("/after", "x");
    });
    expect(await behind.version()).toBe(2);

    const reopened = await openOplogFs(path, { readOnly: true });
    expect((await reopened.history()).map((c) => c.rows)).toEqual([
      undefined,
      DIRS * FILES_PER_DIR + DIRS + 1,
      2,
    ]);
    expect(await reopened.root().readFile("/d0/f0")).toEqual(content(0, 0));
    expect(await reopened.root().readFile(last)).toEqual(content(DIRS - 1, FILES_PER_DIR - 1));
    await Promise.all([writer.close(), behind.close(), reopened.close()]);
  }, 300_000);
});
