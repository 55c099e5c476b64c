// The memory pond of results: removal and compaction.

import { describe, expect, it } from "vitest";
import { ResultStore } from "./result-store.js";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("ResultStore", () => {
  it("removes a file so it can no longer be read", async () => {
    const store = new ResultStore(1 << 20);
    await store.write("/c/one", bytes(10, 1), "file:data", { k: "v" });
    expect(store.stat("/c/one")?.attrs).toEqual({ k: "v" });
    await store.remove("/c/one");
    expect(store.stat("/c/one")).toBeUndefined();
    expect(await store.fs.root().exists("/c/one")).toBe(false);
    await store.close();
  });

  it("moves the live files to a fresh pond once removed bytes exceed the threshold", async () => {
    const store = new ResultStore(100);
    const first = store.fs;
    await store.write("/c/keep", bytes(30, 7), "file:table", { n: "1" });
    for (let i = 0; i < 3; i++) {
      await store.write(`/c/tmp${i}`, bytes(40, i), "file:data", {});
      await store.remove(`/c/tmp${i}`);
    }
    // 120 bytes of removed files are still held by the first pond's history.
    await store.write("/c/new", bytes(5, 9), "file:data", {});
    expect(store.fs).not.toBe(first);
    expect([...(await store.read("/c/keep"))]).toEqual([...bytes(30, 7)]);
    expect(store.stat("/c/keep")).toMatchObject({ entryType: "file:table", attrs: { n: "1" } });
    expect((await store.fs.history()).length).toBeLessThan((await first.history()).length);
    expect((await store.fs.root().readdir("/c")).map((e) => e.name)).toEqual(["keep", "new"]);
    await store.close();
  });
});
