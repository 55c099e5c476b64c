// The op-log addon on damaged or foreign tables: clear codes naming what is wrong.

import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NativeTable } from "./native.js";
import {
  codeOf,
  info,
  ipc,
  pairs,
  parquetFiles,
  rowsOf,
  useTempDir,
} from "./test-workers/native-table.js";

const tmp = useTempDir();

describe("NativeTable damaged tables", () => {
  it("opens a Delta table with another schema with EINVAL", async () => {
    mkdirSync(join(tmp.dir, "_delta_log"), { recursive: true });
    const schema = {
      type: "struct",
      fields: [{ name: "x", type: "long", nullable: true, metadata: {} }],
    };
    const actions = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: "00000000-0000-0000-0000-000000000001",
          format: { provider: "parquet", options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: {},
          createdTime: 0,
        },
      },
      { commitInfo: { timestamp: 0, operation: "CREATE TABLE" } },
    ];
    writeFileSync(
      join(tmp.dir, "_delta_log", "00000000000000000000.json"),
      actions.map((a) => JSON.stringify(a)).join("\n"),
    );
    const err = await codeOf(NativeTable.open(tmp.dir));
    expect(err.code).toBe("EINVAL");
    expect(err.message).toContain("missing column node_id");
  });

  it("reads but refuses to write a table another tool moved past Delta writer version 2", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const entry = join(tmp.dir, "_delta_log", "00000000000000000000.json");
    const upgraded = readFileSync(entry, "utf8").replace(
      '"minWriterVersion":2',
      '"minWriterVersion":3',
    );
    writeFileSync(entry, upgraded);
    const reopened = await NativeTable.open(tmp.dir);
    expect(pairs(rowsOf(await reopened.scanPartition("p")))).toEqual(["p/a@1"]);
    const err = await codeOf(reopened.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2")));
    expect(err.code).toBe("EINVAL");
    expect(err.message).toContain("writer version 3");
    expect(parquetFiles(tmp.dir)).toHaveLength(1);
  });

  it("reports a truncated data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(tmp.dir);
    truncateSync(join(tmp.dir, file as string), 20);
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
    expect((await codeOf(table.readVersion(1))).code).toBe("CORRUPT");
  });

  it("reports a missing data file as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    const [file] = parquetFiles(tmp.dir);
    rmSync(join(tmp.dir, file as string));
    const err = await codeOf(table.scanPartition("p"));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain(file);
  });

  it("reports a garbage log entry as CORRUPT naming the file", async () => {
    const table = await NativeTable.create(tmp.dir, {});
    await table.commit(...ipc([{ part: "p", node: "a" }]), 1, info("1"));
    await table.commit(...ipc([{ part: "p", node: "b" }]), 2, info("2"));
    const entry = join(tmp.dir, "_delta_log", "00000000000000000002.json");
    writeFileSync(entry, "{ this is not json");
    const err = await codeOf(NativeTable.open(tmp.dir));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain("00000000000000000002.json");
    expect((await codeOf(table.history())).code).toBe("CORRUPT");
    expect((await NativeTable.open(tmp.dir, 1)).version()).toBe(1);
  });
});
