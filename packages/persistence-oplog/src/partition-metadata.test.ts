// Going through a large directory node by node: past a few lookups, the directory's partition
// is read once, without contents, and what it answers stays right as versions are added.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-partition-metadata-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const FILES = 300;
const text = (s: string) => new TextEncoder().encode(s);

describe("lookups across a large directory", () => {
  it("answer every file's versions and contents, before and after more commits", async () => {
    const path = join(scratch, "pond");
    const writer = await createOplogFs(path);
    await writer.transaction(async (root) => {
      await root.createDirPath("/d");
      for (let i = 0; i < FILES; i++) await root.writeFile(`/d/f${i}`, `first ${i}`);
    });
    await writer.root().writeFile("/d/f7", "second 7");
    await writer.root().createSymlinkPath("/d/link", "f7");

    const reader = await openOplogFs(path);
    const root = reader.root();
    // Out of order, so that neither caches nor row groups line up with the lookups.
    const order = [...Array(FILES).keys()].sort(
      (a, b) => ((a * 7919) % FILES) - ((b * 7919) % FILES),
    );
    for (const i of order) {
      const stat = await root.stat(`/d/f${i}`);
      expect(stat.version).toBe(i === 7 ? 2 : 1);
      expect(await root.readFile(`/d/f${i}`)).toEqual(text(i === 7 ? "second 7" : `first ${i}`));
    }
    expect(await root.readFile("/d/f7", { version: 1 })).toEqual(text("first 7"));
    expect(await root.readlink("/d/link")).toBe("f7");

    // Commits after the partition was read: new files, new versions, a removal, a rename.
    await writer.transaction(async (w) => {
      await w.writeFile("/d/new", "new");
      await w.writeFile("/d/f8", "second 8");
      await w.remove("/d/f9");
      await w.rename("/d/f10", "/d/ten");
    });
    await reader.transaction(async (r) => {
      expect(await r.readFile("/d/new")).toEqual(text("new"));
      expect((await r.listFileVersions("/d/f8")).map((v) => v.version)).toEqual([1, 2]);
      expect(await r.readFile("/d/f8")).toEqual(text("second 8"));
      expect(await r.exists("/d/f9")).toBe(false);
      expect(await r.readFile("/d/ten")).toEqual(text("first 10"));
      await r.writeFile("/d/f11", "second 11");
    });
    expect((await root.listFileVersions("/d/f11")).map((v) => v.version)).toEqual([1, 2]);
    await Promise.all([writer.close(), reader.close()]);
  });
});
