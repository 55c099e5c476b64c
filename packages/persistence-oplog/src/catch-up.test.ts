// A handle opened earlier catches up with what another handle committed: its version's rows are
// read without file contents, which come from the table when asked for.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-catch-up-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("catching up with another writer", () => {
  it("reads the files, symlinks, versions and large files another handle committed", async () => {
    const path = join(scratch, "pond");
    const writer = await createOplogFs(path);
    await writer.root().writeFile("/a.txt", "one");
    const behind = await openOplogFs(path);
    expect(await behind.root().readFile("/a.txt")).toEqual(new TextEncoder().encode("one"));
    const large = new Uint8Array(200 * 1024).fill(7);
    await writer.transaction(async (root) => {
      await root.writeFile("/a.txt", "two");
      await root.createDirPath("/d");
      await root.writeFile("/d/large.bin", large);
      await root.createSymlinkPath("/link", "d/large.bin");
    });
    await behind.transaction(async (root) => {
      expect(new TextDecoder().decode(await root.readFile("/a.txt"))).toBe("two");
      expect(new TextDecoder().decode(await root.readFile("/a.txt", { version: 1 }))).toBe("one");
      expect((await root.listFileVersions("/a.txt")).map((v) => v.version)).toEqual([1, 2]);
      expect(await root.readlink("/link")).toBe("d/large.bin");
      expect(await root.readFile("/link")).toEqual(large);
      await root.writeFile("/b.txt", "from behind");
    });
    expect(await behind.version()).toBe(3);
    await Promise.all([writer.close(), behind.close()]);
  });
});
