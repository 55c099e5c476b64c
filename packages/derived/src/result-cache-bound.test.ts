// The result cache does not grow with the source's history: its memory stays within its budget.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMemoryFs } from "@pond/persistence-memory";
import type { FS } from "@pond/tinyfs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DerivedCompute, DerivedFileManager } from "./derived-file-manager.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MiB = 2 ** 20;

/** Memory after a full collection: ArrayBuffers (result bytes) and the JS heap (bookkeeping). */
function memory(): { buffers: number; heap: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { buffers: usage.arrayBuffers, heap: usage.heapUsed };
}

let fs: FS;
let manager: DerivedFileManager;

beforeEach(async () => {
  fs = await createMemoryFs();
  await fs.root().writeFile("/a.txt", "v0");
});

afterEach(async () => {
  await manager.close();
  await fs.close();
});

describe("the result cache", () => {
  it("holds at most its budget of bytes while every new source version makes a new result", async () => {
    manager = new DerivedFileManager(fs, { budgetBytes: MiB });
    // 64 KiB per result, each a fresh buffer as a computation's output is.
    const compute: DerivedCompute = async ({ inputs }) =>
      new Uint8Array(64 * 1024).fill((inputs[0] as { version: number }).version & 0xff);
    const before = memory();
    for (let v = 1; v <= 400; v++) {
      await fs.root().writeFile("/a.txt", `v${v}`);
      const file = await manager.get("big", "/a.txt", {}, compute);
      expect(file.cached).toBe(false);
      expect(manager.stats().bytes).toBeLessThanOrEqual(MiB);
    }
    // 25 MiB computed over 400 versions; 16 results of 64 KiB kept.
    expect(manager.stats()).toMatchObject({ entries: 16, bytes: MiB, evictions: 384 });
    const after = memory();
    expect(after.buffers - before.buffers).toBeLessThan(2 * MiB);
  });

  it("keeps a bounded number of tiny results, so their bookkeeping cannot grow without end", async () => {
    manager = new DerivedFileManager(fs, { budgetBytes: 64 * 1024 });
    const empty: DerivedCompute = async () => new Uint8Array(0);
    const before = memory();
    for (let i = 0; i < 20_000; i++) await manager.get("tiny", "/a.txt", { i }, empty);
    // Zero bytes each: the budget alone would keep all 20,000.
    expect(manager.stats()).toMatchObject({ entries: 16, bytes: 0, evictions: 19_984 });
    const after = memory();
    expect(after.heap - before.heap).toBeLessThan(4 * MiB);
  });
});
