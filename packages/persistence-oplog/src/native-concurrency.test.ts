// The op-log addon under racing writers: one wins each version, the others leave nothing.

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

describe("NativeTable concurrency", () => {
  it("fails the second writer of a version with VERSION_EXISTS and leaves none of its files", async () => {
    const a = await NativeTable.create(tmp.dir, {});
    const b = await NativeTable.open(tmp.dir);
    await a.commit(
      ...ipc([
        { part: "p1", node: "a" },
        { part: "p2", node: "a2" },
      ]),
      1,
      info("a"),
    );
    const before = parquetFiles(tmp.dir);
    const err = await codeOf(
      b.commit(
        ...ipc([
          { part: "p1", node: "b" },
          { part: "p3", node: "b3" },
        ]),
        1,
        info("b"),
      ),
    );
    expect(err.code).toBe("VERSION_EXISTS");
    expect(parquetFiles(tmp.dir)).toEqual(before);
    expect(b.version()).toBe(0);

    expect(pairs(rowsOf(await b.readVersion(1)))).toEqual(["p1/a@1", "p2/a2@1"]);
    expect(rowsOf(await b.scanPartition("p1")).numRows).toBe(0);
    expect(await b.update()).toBe(1);
    expect(pairs(rowsOf(await b.scanPartition("p1")))).toEqual(["p1/a@1"]);
    await b.commit(...ipc([{ part: "p1", node: "b" }]), 2, info("b"));
    const history = JSON.parse(await b.history());
    expect(history.map((h: { info: { message: string } }) => h.info.message)).toEqual([
      undefined,
      "a",
      "b",
    ]);
  });

  it("lets exactly one of many racing commits of the same version win", async () => {
    await NativeTable.create(tmp.dir, {});
    const handles = await Promise.all([1, 2, 3, 4].map(() => NativeTable.open(tmp.dir)));
    const outcomes = await Promise.allSettled(
      handles.map((h, i) => h.commit(...ipc([{ part: "p", node: `n${i}` }]), 1, info(`${i}`))),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === "rejected")
        expect((o.reason as { code: string }).code).toBe("VERSION_EXISTS");
    }
    expect(parquetFiles(tmp.dir)).toHaveLength(1);
  });
});
