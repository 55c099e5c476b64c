// Directory snapshots bound replay; checkpoints bound the log read at open.

import { mkdtempSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SNAPSHOT_ATTRS } from "./committed-state.js";
import { createOplogFs, maintainOplog, openOplogFs } from "./index.js";
import { OpLogTable } from "./table.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-snapshots-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);

describe("directory snapshots", () => {
  it("a large directory writes its whole listing every N records and lists the same at every version", async () => {
    const path = join(scratch, "snap");
    const fs = await createOplogFs(path, { directorySnapshotInterval: 4 });
    // More entries than 4 per record for 4 records: only every 4th record is whole.
    const dir = await fs.transaction(async (root) => {
      const d = await root.createDirPath("/d");
      for (let i = 0; i < 20; i++) await root.writeFile(`/d/base${i}`, `${i}`);
      return d;
    });
    const listings = new Map<number, string[]>();
    const record = async () =>
      listings.set(
        await fs.version(),
        (await fs.root().readdir("/d")).map((e) => e.name),
      );
    for (let i = 0; i < 10; i++) {
      await fs.root().writeFile(`/d/f${i}`, `${i}`);
      await record();
      if (i % 3 === 2) {
        await fs.root().remove(`/d/f${i - 1}`);
        await record();
      }
    }
    await fs.close();

    const table = await OpLogTable.open(path);
    const records = (await table.scan(dir.nodeId, dir.nodeId)).filter(
      (r) => r.nodeId === dir.nodeId,
    );
    const snapshots = records.filter((r) => r.attrs === SNAPSHOT_ATTRS).map((r) => r.version);
    expect(records.length).toBe(1 + 10 + 3);
    expect(snapshots.sort((a, b) => a - b)).toEqual([4, 8, 12]);
    table.close();

    const reopened = await openOplogFs(path);
    for (const [version, names] of listings) {
      const view = await reopened.atVersion(version);
      expect(
        (await view.root().readdir("/d")).map((e) => e.name),
        `version ${version}`,
      ).toEqual(names);
      await view.close();
    }
    expect((await reopened.root().readdir("/d")).map((e) => e.name)).toEqual(
      [...listings.values()].at(-1),
    );
    await reopened.close();
  });

  it("listing reads only the files written since the newest snapshot, and history stays whole", async () => {
    const path = join(scratch, "tail");
    const fs = await createOplogFs(path, { directorySnapshotInterval: 8 });
    const dir = await fs.transaction(async (root) => {
      const d = await root.createDirPath("/d");
      for (let i = 0; i < 100; i++) await root.writeFile(`/d/base${i}`, `${i}`);
      return d;
    });
    for (let i = 0; i < 40; i++) await fs.root().writeFile(`/d/f${i}`, `${i}`);
    await fs.close();

    const tailOf = async () => {
      const table = await OpLogTable.open(path);
      const tail = await table.scanTail(dir.nodeId, dir.nodeId, SNAPSHOT_ATTRS);
      const read = table.scanStats().filesRead;
      table.close();
      return {
        read,
        versions: tail.map((r) => r.version).sort((a, b) => a - b),
        snapshots: tail.filter((r) => r.attrs === SNAPSHOT_ATTRS).map((r) => r.version),
      };
    };
    const partitionFiles = readdirSync(join(path, `part_id=${dir.nodeId}`)).length;
    // Records 1..41; snapshots at 8, 16, 24, 32, 40: the tail starts at 40.
    const tail = await tailOf();
    expect(tail.snapshots).toEqual([40]);
    expect(tail.versions).toEqual([40, 41]);
    expect(tail.read).toBeLessThan(partitionFiles / 2);
    // Compacted into one file, the partition still gives only the tail.
    await maintainOplog(path);
    expect(await tailOf()).toEqual({ read: 1, versions: [40, 41], snapshots: [40] });

    const reopened = await openOplogFs(path);
    expect(await reopened.root().readdir("/d")).toHaveLength(140);
    const history = await reopened.root().listFileVersions("/d");
    expect(history.map((m) => m.version)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    await reopened.root().writeFile("/d/late", "x");
    expect((await reopened.root().listFileVersions("/d")).map((m) => m.version).at(-1)).toBe(42);
    await reopened.close();
  });

  it("a small directory's every record is its whole listing, read from one file", async () => {
    const path = join(scratch, "small");
    const fs = await createOplogFs(path, { directorySnapshotInterval: 8 });
    const dir = await fs.root().createDirPath("/d");
    for (let i = 0; i < 40; i++) await fs.root().writeFile(`/d/f${i % 6}`, `${i}`);
    await fs.root().remove("/d/f2");
    await fs.close();

    const table = await OpLogTable.open(path);
    const records = (await table.scan(dir.nodeId, dir.nodeId)).filter(
      (r) => r.nodeId === dir.nodeId,
    );
    expect(records.every((r) => r.attrs === SNAPSHOT_ATTRS)).toBe(true);
    const before = table.scanStats().filesRead;
    const tail = await table.scanTail(dir.nodeId, dir.nodeId, SNAPSHOT_ATTRS);
    expect(tail.map((r) => r.version)).toEqual([records.length]);
    expect(table.scanStats().filesRead - before).toBe(1);
    table.close();

    const reopened = await openOplogFs(path);
    expect((await reopened.root().readdir("/d")).map((e) => e.name)).toEqual([
      "f0",
      "f1",
      "f3",
      "f4",
      "f5",
    ]);
    await reopened.close();
  });

  it("writers of disjoint names in one small directory both land past each other's snapshots", async () => {
    const path = join(scratch, "race");
    const setup = await createOplogFs(path);
    await setup.root().createDirPath("/d");
    await setup.root().writeFile("/d/shared", "s");
    await setup.close();
    const a = await openOplogFs(path);
    const b = await openOplogFs(path);
    for (let i = 0; i < 5; i++) {
      // Each reads the listing, then the other commits a whole listing before it does.
      await a.transaction(async (root) => {
        await root.readFile("/d/shared");
        await b.root().writeFile(`/d/b${i}`, `${i}`);
        await root.writeFile(`/d/a${i}`, `${i}`);
      });
    }
    const names = (await a.root().readdir("/d")).map((e) => e.name).sort();
    expect(names).toEqual(["a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4", "shared"]);
    // A concurrent change of a name the transaction read is still a conflict.
    const lost = a.transaction(async (root) => {
      await root.readFile("/d/shared");
      await b.root().remove("/d/shared");
      await root.writeFile("/d/a9", "9");
    });
    await expect(lost).rejects.toMatchObject({ code: "CONFLICT" });
    await a.close();
    await b.close();
  });
});

describe("checkpoints", () => {
  it("a checkpoint is written every interval and a reopened pond reads from it", async () => {
    const path = join(scratch, "checkpoints");
    const fs = await createOplogFs(path, { checkpointInterval: 5 });
    for (let i = 0; i < 12; i++) await fs.root().writeFile(`/f${i}`, `${i}`);
    await fs.close();
    const log = readdirSync(join(path, "_delta_log"));
    expect(log.filter((f) => f.endsWith(".checkpoint.parquet")).sort()).toEqual([
      `${"5".padStart(20, "0")}.checkpoint.parquet`,
      `${"10".padStart(20, "0")}.checkpoint.parquet`,
    ]);
    const reopened = await openOplogFs(path);
    expect((await reopened.root().readdir("/")).map((e) => e.name)).toHaveLength(12);
    expect(await reopened.history()).toHaveLength(13);
    await reopened.close();
  });
});
