// The op-log addon's table properties: what may be set, as one version.

import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import { codeOf, info, ipc, pairs, rowsOf, useTempDir } from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable properties", () => {
  it("merges pond.* properties, the checkpoint interval and the deleted-file retention into the configuration as one version", async () => {
    const table = await NativeTable.create(tmp.dir, { "pond.format": "1" });
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const other = await NativeTable.open(tmp.dir);
    await table.setProperties(
      {
        "pond.retention": "30d",
        "delta.checkpointInterval": "2",
        "delta.deletedFileRetentionDuration": "interval 30 days",
      },
      2,
    );
    expect(table.version()).toBe(2);
    expect(table.properties()).toMatchObject({
      "pond.format": "1",
      "pond.retention": "30d",
      "delta.checkpointInterval": "2",
      "delta.deletedFileRetentionDuration": "interval 30 days",
      "delta.enableExpiredLogCleanup": "false",
    });
    expect(rowsOf(await table.readVersion(2)).numRows).toBe(0);
    expect(await other.update()).toBe(2);
    expect(other.properties()["pond.retention"]).toBe("30d");
    expect(pairs(rowsOf(await other.scanPartition("p")))).toEqual(["p/a@1"]);
    const reopened = await NativeTable.open(tmp.dir);
    expect(reopened.properties()["pond.retention"]).toBe("30d");
    // The new interval is in force.
    expect(
      (await table.commit(...ipc([{ part: "p", node: "b" }], 3), 3, info("3"))).checkpointed,
    ).toBe(false);
    expect(
      (await table.commit(...ipc([{ part: "p", node: "c" }], 4), 4, info("4"))).checkpointed,
    ).toBe(true);
    const history = JSON.parse(await table.history());
    expect(history[2].info.operation).toBe("SET TBLPROPERTIES");
    // The old version still has the old configuration.
    expect((await NativeTable.open(tmp.dir, 1)).properties()["pond.retention"]).toBeUndefined();
  });

  it("refuses other keys and bad intervals with EINVAL, and a lost version with VERSION_EXISTS", async () => {
    const a = await NativeTable.create(tmp.dir, {});
    const b = await NativeTable.open(tmp.dir);
    const refused: Record<string, string>[] = [
      { "delta.logRetentionDuration": "interval 1 days" },
      { "delta.enableDeletionVectors": "true" },
      { "delta.checkpointInterval": "0" },
      { "delta.checkpointInterval": "often" },
      { "delta.deletedFileRetentionDuration": "soon" },
      { "delta.deletedFileRetentionDuration": "interval 3 fortnights" },
      { "delta.deletedFileRetentionDuration": "interval -1 days" },
    ];
    for (const bad of refused) {
      expect((await codeOf(a.setProperties(bad, 1))).code).toBe("EINVAL");
    }
    expect((await codeOf(a.setProperties({ "pond.x": "1" }, 2))).code).toBe("EINVAL");
    await a.setProperties({ "pond.x": "1" }, 1);
    expect((await codeOf(b.setProperties({ "pond.x": "2" }, 1))).code).toBe("VERSION_EXISTS");
    expect(b.properties()["pond.x"]).toBeUndefined();
    expect(await b.update()).toBe(1);
    await b.setProperties({ "pond.x": "2" }, 2);
    expect((await NativeTable.open(tmp.dir)).properties()["pond.x"]).toBe("2");
  });
});
