// The manager: keys, single computation per key, failures, eviction, errors, downsampling requests.

import { createMemoryFs } from "@pond/persistence-memory";
import { type FS, PondError } from "@pond/tinyfs";
import { Float64, Table } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DerivedComputation } from "./derived-computation.js";
import {
  type DerivedCompute,
  type DerivedFile,
  DerivedFileManager,
} from "./derived-file-manager.js";
import { visitParquet } from "./parquet-io.js";
import { int64Vector, numberVector, timestampType, toParquet } from "./testing/fixtures.js";

let fs: FS;
let manager: DerivedFileManager;

beforeEach(async () => {
  fs = await createMemoryFs();
  await fs.root().writeFile("/a.txt", "alpha");
  await fs.root().writeFile("/b.txt", "beta");
});

afterEach(async () => {
  await manager?.close();
  await fs.close();
});

/** A compute function that counts its calls and returns the inputs' bytes joined. */
function counting(): DerivedCompute & { calls: number } {
  const compute = Object.assign(
    async ({ inputs }: Parameters<DerivedCompute>[0]) => {
      compute.calls++;
      const parts = await Promise.all(inputs.map((i) => i.read()));
      return new TextEncoder().encode(parts.map((p) => new TextDecoder().decode(p)).join("+"));
    },
    { calls: 0 },
  );
  return compute;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function tableFile(path: string, times: number[], values: number[]): Promise<void> {
  const table = new Table({
    timestamp: int64Vector(
      timestampType("ms"),
      times.map((t) => BigInt(t)),
    ),
    value: numberVector(new Float64(), values),
  });
  await fs.root().writeFile(path, await toParquet(table), { entryType: "file:table" });
}

/** (bucket start ms, value.count) pairs of a downsampled file. */
async function bucketsOf(bytes: Uint8Array): Promise<Array<[number, number]>> {
  return visitParquet(bytes, (t) => {
    const out: Array<[number, number]> = [];
    const ts = t.fields.findIndex((f) => f.name === "timestamp");
    const count = t.fields.findIndex((f) => f.name === "value.count");
    expect(t.fields[ts]).toMatchObject({ kind: "timestamp", unit: "ms", timezone: "UTC" });
    for (const batch of t.batches) {
      const tw = batch.columns[ts]?.values as Int32Array;
      const cw = batch.columns[count]?.values as Int32Array;
      for (let i = 0; i < batch.length; i++) {
        out.push([
          (tw[2 * i + 1] as number) * 2 ** 32 + ((tw[2 * i] as number) >>> 0),
          cw[2 * i] as number,
        ]);
      }
    }
    return out;
  });
}

describe("DerivedFileManager.get", () => {
  it("computes once, then serves the cached file", async () => {
    manager = new DerivedFileManager(fs);
    const compute = counting();
    const first = await manager.get("concat", ["/a.txt", "/b.txt"], { sep: "+" }, compute);
    expect(text(first.bytes)).toBe("alpha+beta");
    expect(first.cached).toBe(false);
    const second = await manager.get("concat", ["/a.txt", "/b.txt"], { sep: "+" }, compute);
    expect(second.cached).toBe(true);
    expect(second.key).toBe(first.key);
    expect(text(second.bytes)).toBe("alpha+beta");
    expect(compute.calls).toBe(1);
    expect(first.path).toBe(`/concat/${first.key}`);
    // Every request gets its own copy.
    second.bytes[0] = 0;
    expect(
      text((await manager.get("concat", ["/a.txt", "/b.txt"], { sep: "+" }, compute)).bytes),
    ).toBe("alpha+beta");
    expect(first.key).toMatch(/^[0-9a-f]{64}$/);
    expect(manager.stats()).toMatchObject({ hits: 2, misses: 1, computations: 1, entries: 1 });
  });

  it("keys name every input's version: a new version is a new result, the old one never served", async () => {
    manager = new DerivedFileManager(fs);
    const compute = counting();
    const before = await manager.get("concat", ["/a.txt", "/b.txt"], {}, compute);
    await fs.root().writeFile("/b.txt", "BETA");
    const after = await manager.get("concat", ["/a.txt", "/b.txt"], {}, compute);
    expect(after.key).not.toBe(before.key);
    expect(text(after.bytes)).toBe("alpha+BETA");
    expect(after.inputs.map((i) => i.version)).toEqual([1, 2]);
    expect(compute.calls).toBe(2);
    // Input order is part of the key.
    const swapped = await manager.get("concat", ["/b.txt", "/a.txt"], {}, compute);
    expect(swapped.key).not.toBe(after.key);
  });

  it("keys are canonical: parameter order does not matter, values do", async () => {
    manager = new DerivedFileManager(fs);
    const compute = counting();
    const a = await manager.get("c", "/a.txt", { x: 1, y: { p: [1, 2], q: "s" } }, compute);
    const b = await manager.get(
      "c",
      "/a.txt",
      { y: { q: "s", p: [1, 2] }, x: 1, z: undefined },
      compute,
    );
    const c = await manager.get("c", "/a.txt", { x: 1, y: { p: [2, 1], q: "s" } }, compute);
    expect(b.key).toBe(a.key);
    expect(c.key).not.toBe(a.key);
    expect(compute.calls).toBe(2);
  });

  it("runs one computation for concurrent requests of one key", async () => {
    manager = new DerivedFileManager(fs);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const slow: DerivedCompute = async () => {
      calls++;
      await gate;
      return new Uint8Array([1, 2, 3]);
    };
    const requests = Array.from({ length: 10 }, () => manager.get("slow", "/a.txt", {}, slow));
    await new Promise((r) => setTimeout(r, 10));
    release();
    const files = await Promise.all(requests);
    expect(calls).toBe(1);
    expect(new Set(files.map((f) => f.key)).size).toBe(1);
    for (const f of files) expect([...f.bytes]).toEqual([1, 2, 3]);
    // Waiters get their own copy.
    (files[0] as { bytes: Uint8Array }).bytes[0] = 9;
    expect((files[1] as { bytes: Uint8Array }).bytes[0]).toBe(1);
    expect(manager.stats()).toMatchObject({ computations: 1, misses: 1, joins: 9 });
  });

  it("keeps its own copy of a result returned as a Node Buffer, whose slice() is a view", async () => {
    manager = new DerivedFileManager(fs);
    const buffer: DerivedCompute = async () => Buffer.from("abc");
    const first = await manager.get("buf", "/a.txt", {}, buffer);
    first.bytes[0] = 0x7a;
    const hit = await manager.get("buf", "/a.txt", {}, buffer);
    expect(text(hit.bytes)).toBe("abc");
    hit.bytes[1] = 0x7a;
    expect(text((await manager.get("buf", "/a.txt", {}, buffer)).bytes)).toBe("abc");
  });

  it("does not cache a failure, and every waiter gets its error", async () => {
    manager = new DerivedFileManager(fs);
    let calls = 0;
    const boom = new Error("boom");
    const failing: DerivedCompute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      throw boom;
    };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => manager.get("f", "/a.txt", {}, failing)),
    );
    expect(calls).toBe(1);
    for (const r of results) expect(r).toEqual({ status: "rejected", reason: boom });
    expect(manager.stats().entries).toBe(0);
    const ok = await manager.get("f", "/a.txt", {}, counting());
    expect(text(ok.bytes)).toBe("alpha");
    expect(ok.cached).toBe(false);
  });

  it("evicts the least recently used results beyond the budget and recomputes them on demand", async () => {
    manager = new DerivedFileManager(fs, { budgetBytes: 250 });
    const calls: string[] = [];
    const sized =
      (name: string): DerivedCompute =>
      async () => {
        calls.push(name);
        return new Uint8Array(100).fill(name.charCodeAt(0));
      };
    const a = await manager.get("r", "/a.txt", { n: "a" }, sized("a"));
    const b = await manager.get("r", "/a.txt", { n: "b" }, sized("b"));
    await manager.get("r", "/a.txt", { n: "a" }, sized("a")); // a is now the most recent
    await manager.get("r", "/a.txt", { n: "c" }, sized("c")); // 300 bytes: b goes
    expect(manager.stats()).toMatchObject({ entries: 2, bytes: 200, evictions: 1 });
    const kept = await Promise.all(
      ["a", "c"].map((n) => manager.get("r", "/a.txt", { n }, sized(n))),
    );
    expect(kept.map((f) => f.cached)).toEqual([true, true]);
    expect(kept[0]?.key).toBe(a.key);
    const again = await manager.get("r", "/a.txt", { n: "b" }, sized("b"));
    expect(again.cached).toBe(false);
    expect(again.key).toBe(b.key);
    expect(again.bytes[0]).toBe("b".charCodeAt(0));
    expect(calls).toEqual(["a", "b", "c", "b"]);
  });

  it("keeps the newest result even when it alone exceeds the budget", async () => {
    manager = new DerivedFileManager(fs, { budgetBytes: 10 });
    const big: DerivedCompute = async () => new Uint8Array(100);
    await manager.get("big", "/a.txt", {}, big);
    expect((await manager.get("big", "/a.txt", {}, big)).cached).toBe(true);
    await manager.get("big", "/b.txt", {}, big);
    expect(manager.stats()).toMatchObject({ entries: 1, evictions: 1 });
    expect((await manager.get("big", "/b.txt", {}, big)).cached).toBe(true);
    expect((await manager.get("big", "/a.txt", {}, big)).cached).toBe(false);
  });

  it("rejects a missing input with ENOENT, bad names and params with EINVAL", async () => {
    manager = new DerivedFileManager(fs);
    const compute = counting();
    await expect(manager.get("c", "/nope.txt", {}, compute)).rejects.toMatchObject({
      code: "ENOENT",
      path: "/nope.txt",
    });
    await expect(manager.get("../etc", "/a.txt", {}, compute)).rejects.toMatchObject({
      code: "EINVAL",
    });
    await expect(manager.get("c", "/a.txt", { x: Number.NaN }, compute)).rejects.toMatchObject({
      code: "EINVAL",
    });
    await expect(
      manager.get("c", "/a.txt", { d: new Date() as never }, compute),
    ).rejects.toMatchObject({ code: "EINVAL" });
    await expect(manager.get("c", [], {}, compute)).rejects.toMatchObject({ code: "EINVAL" });
    expect(() => new DerivedFileManager(fs, { budgetBytes: -1 })).toThrow(PondError);
    expect(compute.calls).toBe(0);
  });

  it("refuses inputs staged in an open transaction (their version numbers are not final)", async () => {
    manager = new DerivedFileManager(fs);
    await expect(
      fs.transaction(async (root) => {
        await root.writeFile("/a.txt", "staged");
        return manager.get("c", "/a.txt", {}, counting());
      }),
    ).rejects.toMatchObject({ code: "EINVAL" });
  });

  it("is CLOSED after close()", async () => {
    manager = new DerivedFileManager(fs);
    await manager.close();
    await expect(manager.get("c", "/a.txt", {}, counting())).rejects.toMatchObject({
      code: "CLOSED",
    });
  });
});

/** A computation a user might add: each input's text repeated `times` times, one result per count. */
function repeat(): DerivedComputation & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    name: "repeat",
    inputs: { min: 1, max: 2, entryTypes: ["file:data"] },
    parameters(options) {
      const { times } = options as { times: number[] };
      if (!times.every((t) => Number.isInteger(t) && t > 0)) {
        throw new PondError("EINVAL", "times must be positive integers");
      }
      return times.map((t) => ({ times: t }));
    },
    async compute({ inputs, params }) {
      calls.push(params.map((p) => p.times as number));
      const text = (await Promise.all(inputs.map((i) => i.read())))
        .map((b) => new TextDecoder().decode(b))
        .join("");
      return params.map((p) => ({
        data: new TextEncoder().encode(text.repeat(p.times as number)),
        extension: ".txt",
        attrs: { times: String(p.times) },
      }));
    },
  };
}

describe("DerivedFileManager.derive", () => {
  it("runs a registered computation by name: one call for all missing results, cached each", async () => {
    const computation = repeat();
    manager = new DerivedFileManager(fs, { computations: [computation] });
    const [two, three, twoAgain] = await manager.derive("repeat", "/a.txt", { times: [2, 3, 2] });
    expect(text(two?.bytes as Uint8Array)).toBe("alphaalpha");
    expect(text(three?.bytes as Uint8Array)).toBe("alphaalphaalpha");
    expect(twoAgain?.key).toBe(two?.key);
    expect(two?.path).toBe(`/repeat/${two?.key}.txt`);
    expect(two?.attrs).toMatchObject({ times: "2", computation: "repeat", key: two?.key });
    expect(computation.calls).toEqual([[2, 3]]);
    const [cached, fresh] = await manager.derive("repeat", "/a.txt", { times: [3, 1] });
    expect([cached?.cached, fresh?.cached]).toEqual([true, false]);
    expect(computation.calls).toEqual([[2, 3], [1]]);
    expect(manager.stats()).toMatchObject({ computations: 2, misses: 3, hits: 1, entries: 3 });
  });

  it("takes a computation registered after construction, under a name nothing else has", async () => {
    manager = new DerivedFileManager(fs);
    await expect(manager.derive("repeat", "/a.txt", { times: [1] })).rejects.toMatchObject({
      code: "EINVAL",
    });
    manager.register(repeat());
    expect(() => manager.register(repeat())).toThrow(PondError);
    expect(() => manager.register({ ...repeat(), name: "downsample" })).toThrow(PondError);
    expect(() => manager.register({ ...repeat(), name: "../x" })).toThrow(PondError);
    // A one-off computation cannot take a registered name: it would share its keys.
    await expect(manager.get("repeat", "/a.txt", {}, counting())).rejects.toMatchObject({
      code: "EINVAL",
    });
    const [file] = await manager.derive("repeat", ["/a.txt", "/b.txt"], { times: [1] });
    expect(text(file?.bytes as Uint8Array)).toBe("alphabeta");
  });

  it("checks options and inputs before reading anything", async () => {
    const computation = repeat();
    manager = new DerivedFileManager(fs, { computations: [computation] });
    await fs.root().createDirPath("/dir");
    await fs.root().writeFile("/t.parquet", "x", { entryType: "file:table" });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => (e as PondError).code,
      );
    expect(await code(manager.derive("repeat", "/a.txt", { times: [0] }))).toBe("EINVAL");
    expect(await code(manager.derive("repeat", "/nope", { times: [1] }))).toBe("ENOENT");
    expect(await code(manager.derive("repeat", "/dir", { times: [1] }))).toBe("EINVAL");
    expect(await code(manager.derive("repeat", "/t.parquet", { times: [1] }))).toBe("EINVAL");
    expect(await code(manager.derive("repeat", [], { times: [1] }))).toBe("EINVAL");
    const three = ["/a.txt", "/b.txt", "/a.txt"];
    expect(await code(manager.derive("repeat", three, { times: [1] }))).toBe("EINVAL");
    expect(computation.calls).toEqual([]);
  });
});

describe("DerivedFileManager.getDownsampledTimeseries", () => {
  const MINUTE = 60_000;

  it("downsamples a table and caches each resolution as its own file", async () => {
    manager = new DerivedFileManager(fs);
    await tableFile("/t.parquet", [0, 1, MINUTE + 5, 3 * MINUTE, -1], [1, 2, 3, 4, 5]);
    const [m, h] = (await manager.getDownsampledTimeseries("/t.parquet", ["1m", "1h"])) as [
      DerivedFile,
      DerivedFile,
    ];
    expect(await bucketsOf(m.bytes)).toEqual([
      [-MINUTE, 1],
      [0, 2],
      [MINUTE, 1],
      [3 * MINUTE, 1],
    ]);
    expect(await bucketsOf(h.bytes)).toEqual([
      [-60 * MINUTE, 1],
      [0, 4],
    ]);
    expect(m.path).toBe(`/downsample/${m.key}.parquet`);
    expect(m.entryType).toBe("file:table");
    expect(m.attrs).toMatchObject({
      timestampColumn: "timestamp",
      resolutionMs: "60000",
    });
    expect(manager.stats()).toMatchObject({ computations: 1, misses: 2 });

    // 60000 ms is the same resolution as "1m": same key.
    const again = await manager.getDownsampledTimeseries("/t.parquet", 60_000);
    expect(again.key).toBe(m.key);
    expect(again.cached).toBe(true);

    // Only the missing resolution is computed.
    const [h2, d] = (await manager.getDownsampledTimeseries("/t.parquet", ["1h", "1d"])) as [
      DerivedFile,
      DerivedFile,
    ];
    expect(h2.cached).toBe(true);
    expect(d.cached).toBe(false);
    expect(await bucketsOf(d.bytes)).toEqual([
      [-86_400_000, 1],
      [0, 4],
    ]);
    expect(manager.stats()).toMatchObject({ computations: 2, misses: 3, hits: 2 });
  });

  it("lets a single-resolution request join a multi-resolution computation", async () => {
    manager = new DerivedFileManager(fs);
    await tableFile("/t.parquet", [0, MINUTE], [1, 2]);
    const [both, hour] = await Promise.all([
      manager.getDownsampledTimeseries("/t.parquet", ["1m", "1h"]),
      manager.getDownsampledTimeseries("/t.parquet", "1h"),
    ]);
    expect(hour.key).toBe(both[1]?.key);
    expect(manager.stats()).toMatchObject({ computations: 1, misses: 2, joins: 1 });
  });

  it("writes Snappy-compressed Parquet with a UTC millisecond bucket column", async () => {
    manager = new DerivedFileManager(fs);
    await tableFile("/t.parquet", [0, 1, 2], [1, 2, 3]);
    const file = await manager.getDownsampledTimeseries("/t.parquet", "1s");
    const { openOracle } = await import("./testing/duckdb-oracle.js");
    const oracle = await openOracle();
    try {
      const path = oracle.file("out.parquet", file.bytes);
      const meta = await oracle.query(
        `SELECT DISTINCT compression FROM parquet_metadata('${path}')`,
      );
      expect(meta).toEqual([{ compression: "SNAPPY" }]);
      const schema = await oracle.query(
        `SELECT name, logical_type FROM parquet_schema('${path}') WHERE name = 'timestamp'`,
      );
      expect(String(schema[0]?.logical_type)).toMatch(/isAdjustedToUTC=1.*MILLIS=MilliSeconds/);
    } finally {
      oracle.close();
    }
  });

  it("gives ENOENT, EINVAL and CORRUPT, never a crash", async () => {
    manager = new DerivedFileManager(fs);
    await fs.root().createDirPath("/dir");
    await tableFile("/t.parquet", [0], [1]);
    const corrupt = new Uint8Array(64);
    corrupt.set([0x50, 0x41, 0x52, 0x31]);
    corrupt.set([0x50, 0x41, 0x52, 0x31], 60);
    await fs.root().writeFile("/corrupt.parquet", corrupt, { entryType: "file:table" });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => (e as PondError).code,
      );
    expect(await code(manager.getDownsampledTimeseries("/missing", "1m"))).toBe("ENOENT");
    expect(await code(manager.getDownsampledTimeseries("/dir", "1m"))).toBe("EINVAL");
    expect(await code(manager.getDownsampledTimeseries("/a.txt", "1m"))).toBe("EINVAL");
    expect(await code(manager.getDownsampledTimeseries("/corrupt.parquet", "1m"))).toBe("CORRUPT");
    for (const bad of ["1x", "0m", "-1m", "", "1.5m", 0, -5, 1.5, Number.NaN, "m"]) {
      expect(await code(manager.getDownsampledTimeseries("/t.parquet", bad)), String(bad)).toBe(
        "EINVAL",
      );
    }
    expect(await code(manager.getDownsampledTimeseries("/t.parquet", []))).toBe("EINVAL");
    expect(
      await code(
        manager.getDownsampledTimeseries("/t.parquet", "1m", { range: { start: 5, end: 5 } }),
      ),
    ).toBe("EINVAL");
    expect(
      await code(manager.getDownsampledTimeseries("/t.parquet", "1m", { columns: ["nope"] })),
    ).toBe("EINVAL");
    expect(
      await code(
        manager.getDownsampledTimeseries("/t.parquet", "1m", { timestampColumn: "value" }),
      ),
    ).toBe("EINVAL");
    // Nothing failed is cached.
    expect(manager.stats().entries).toBe(0);
  });

  it("takes an int64 epoch column with its unit from the options or the node's attrs", async () => {
    manager = new DerivedFileManager(fs);
    const { Int64 } = await import("apache-arrow");
    const table = new Table({
      ts: int64Vector(new Int64(), [0n, 59n, 60n, -1n]),
      value: numberVector(new Float64(), [1, 2, 3, 4]),
    });
    const bytes = await toParquet(table);
    await fs.root().writeFile("/epoch.parquet", bytes, { entryType: "file:table" });
    await expect(manager.getDownsampledTimeseries("/epoch.parquet", "1m")).rejects.toMatchObject({
      code: "EINVAL",
    });
    const viaOption = await manager.getDownsampledTimeseries("/epoch.parquet", "1m", {
      timestampUnit: "s",
    });
    expect(await bucketsOf(viaOption.bytes)).toEqual([
      [-MINUTE, 1],
      [0, 2],
      [MINUTE, 1],
    ]);
    await fs.root().writeFile("/epoch2.parquet", bytes, {
      entryType: "file:table",
      attrs: { timestampColumn: "ts", timestampUnit: "s" },
    });
    const viaAttrs = await manager.getDownsampledTimeseries("/epoch2.parquet", "1m");
    expect(await bucketsOf(viaAttrs.bytes)).toEqual(await bucketsOf(viaOption.bytes));
  });
});
