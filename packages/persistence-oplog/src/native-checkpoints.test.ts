// The op-log addon's checkpoints: written every interval or on demand, read as delta-rs reads them.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createOplogFs } from "./index.js";
import { NativeTable } from "./native.js";
import { fullRows, info, ipc, pairs, rowsOf, useTempDir } from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable checkpoints", () => {
  it("writes a checkpoint every delta.checkpointInterval versions, off the commit path, and keeps every log entry", async () => {
    const table = await NativeTable.create(tmp.dir, { "delta.checkpointInterval": "3" });
    const results = [];
    for (let v = 1; v <= 7; v++) {
      results.push(
        await table.commit(...ipc([{ part: `p${v % 2}`, node: `n${v}` }], v), v, info(`${v}`)),
      );
    }
    expect(results.map((r) => r.checkpointed)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    await table.settleCheckpoint();
    const log = readdirSync(join(tmp.dir, "_delta_log"));
    expect(log).toContain("00000000000000000003.checkpoint.parquet");
    expect(log).toContain("00000000000000000006.checkpoint.parquet");
    for (let v = 0; v <= 7; v++) expect(log).toContain(`${String(v).padStart(20, "0")}.json`);

    const reopened = await NativeTable.open(tmp.dir);
    expect(reopened.version()).toBe(7);
    expect(pairs(rowsOf(await reopened.scanPartition("p1")))).toEqual([
      "p1/n1@1",
      "p1/n3@1",
      "p1/n5@1",
      "p1/n7@1",
    ]);
    expect(JSON.parse(await reopened.history())).toHaveLength(8);
  });

  it("opens the newest version from the last checkpoint and the entries after it as delta-rs does", async () => {
    const table = await NativeTable.create(tmp.dir, { "delta.checkpointInterval": "5" });
    for (let v = 1; v <= 5; v++) {
      const part = v % 2 ? "p1" : "odd part/%";
      await table.commit(...ipc([{ part, node: `n${v}` }], v), v, info(`${v}`));
    }
    // After the checkpoint of version 5: a compaction (adds and tombstones), new properties,
    // another append.
    await table.compact(6, { minFiles: 2 });
    await table.setProperties({ "pond.retention": "30d" }, 7);
    await table.commit(...ipc([{ part: "p2", node: "n8" }], 8), 8, info("8"));
    await table.settleCheckpoint();
    expect(readFileSync(join(tmp.dir, "_delta_log", "_last_checkpoint"), "utf8")).toContain(
      '"version":5,',
    );

    const newest = await NativeTable.open(tmp.dir);
    const pinned = await NativeTable.open(tmp.dir, 8);
    expect(newest.version()).toBe(8);
    expect(newest.properties()).toEqual(pinned.properties());
    expect(newest.properties()["pond.retention"]).toBe("30d");
    expect(await newest.partitionStats()).toEqual(await pinned.partitionStats());
    expect(fullRows(rowsOf(await newest.scanAll()))).toEqual(
      fullRows(rowsOf(await pinned.scanAll())),
    );
    // Both move on alike, and the newest handle writes the checkpoint due at 10.
    for (let v = 9; v <= 12; v++) {
      const result = await newest.commit(
        ...ipc([{ part: "p1", node: `m${v}` }], v),
        v,
        info(`${v}`),
      );
      expect(result.checkpointed).toBe(v === 10);
    }
    expect(await pinned.update()).toBe(12);
    expect(await newest.partitionStats()).toEqual(await pinned.partitionStats());
    // A young table without a checkpoint opens from its first entry.
    const young = join(tmp.dir, "young");
    const created = await NativeTable.create(young, {});
    await created.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    expect(pairs(rowsOf(await (await NativeTable.open(young)).scanPartition("p")))).toEqual([
      "p/a@1",
    ]);
  });

  it("writes a checkpoint on demand at the loaded version", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.checkpoint();
    expect(existsSync(join(tmp.dir, "_delta_log", "00000000000000000001.checkpoint.parquet"))).toBe(
      true,
    );
    expect((await NativeTable.open(tmp.dir)).version()).toBe(1);
  });

  it("a pond closed right after the commit that fell due has the checkpoint written", async () => {
    const pond = join(tmp.dir, "pond");
    const fs = await createOplogFs(pond, { checkpointInterval: 2 });
    await fs.root().writeFile("/a.txt", "a");
    await fs.root().writeFile("/b.txt", "b");
    await fs.close();
    expect(readdirSync(join(pond, "_delta_log"))).toContain(
      "00000000000000000002.checkpoint.parquet",
    );
  });
});
