// The op-log addon's table handle: create, open, close.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import { codeOf, useTempDir } from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable lifecycle", () => {
  it("creates a table at version 0 with pond's properties and Delta protocol 1/2", async () => {
    const path = join(tmp.dir, "nested", "pond");
    const table = await NativeTable.create(path, { "pond.format": "1" });
    expect(table.version()).toBe(0);
    expect(table.properties()).toMatchObject({
      "pond.format": "1",
      "delta.checkpointInterval": "100",
      "delta.enableExpiredLogCleanup": "false",
      "delta.logRetentionDuration": "interval 36500 days",
      "delta.deletedFileRetentionDuration": "interval 36500 days",
    });
    const log = readFileSync(join(path, "_delta_log", "00000000000000000000.json"), "utf8");
    const protocol = log
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((a) => a.protocol).protocol;
    expect(protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    table.close();
  });

  it("refuses to create over an existing table with EEXIST", async () => {
    (await NativeTable.create(tmp.dir, {})).close();
    expect((await codeOf(NativeTable.create(tmp.dir, {}))).code).toBe("EEXIST");
  });

  it("refuses Delta properties that would change the table's protocol with EINVAL", async () => {
    const err = await codeOf(
      NativeTable.create(tmp.dir, { "delta.enableDeletionVectors": "true" }),
    );
    expect(err.code).toBe("EINVAL");
  });

  it("lets exactly one of racing creates win; the others fail with EEXIST", async () => {
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => NativeTable.create(tmp.dir, {})));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === "rejected") expect((o.reason as { code: string }).code).toBe("EEXIST");
    }
  });

  it("opens a missing table with ENOENT", async () => {
    expect((await codeOf(NativeTable.open(join(tmp.dir, "nope")))).code).toBe("ENOENT");
  });

  it("fails with CLOSED after close, sync and async", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    table.close();
    expect((await codeOf(() => table.version())).code).toBe("CLOSED");
    expect((await codeOf(table.update())).code).toBe("CLOSED");
    expect((await codeOf(table.scanPartition("p"))).code).toBe("CLOSED");
  });
});
