// temporal-reduce nodes through the API, in memory and on a real Delta table: configs, listing,
// computed outputs, time travel, writes.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryFs } from "@pond/persistence-memory";
import { createOplogFs } from "@pond/persistence-oplog";
import { DYNAMIC_KIND_ATTR, type FS, PondError } from "@pond/tinyfs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "../append-series-chunk.js";
import { DerivedFileManager } from "../derived-file-manager.js";
import { readParquet } from "../parquet-io.js";
import { randomSeries, toParquet } from "../testing/fixtures.js";
import { ConfigReader } from "./config-reader.js";
import { writeDynamicNode } from "./dynamic-nodes.js";
import { type TemporalReduceConfig, temporalReduceKind } from "./temporal-reduce-kind.js";

const CONFIG: TemporalReduceConfig = {
  in_pattern: "/sensors/*/weather",
  out_pattern: "$0",
  resolutions: ["1h", "1d"],
  aggregations: [
    { columns: "val*", ops: ["avg", "max"] },
    { columns: "i32", ops: ["count"] },
  ],
};

const scratch = mkdtempSync(join(tmpdir(), "pond-dynamic-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;
const BACKENDS: Array<[string, () => Promise<FS>]> = [
  ["memory", createMemoryFs],
  ["oplog", () => createOplogFs(join(scratch, `pond-${next++}`))],
];

let fs: FS;
let managers: DerivedFileManager[];

describe.each(BACKENDS)("temporal-reduce (%s backend)", (_name, create) => {
  beforeEach(async () => {
    fs = await create();
    managers = [];
    for (const [i, station] of ["north", "south"].entries()) {
      await fs.root().createDirPath(`/sensors/${station}`, { recursive: true });
      const chunk = randomSeries({ rows: 400, unit: "ms", seed: i + 1, centerMs: 1.7e12 });
      await appendSeriesChunk(fs, `/sensors/${station}/weather`, await toParquet(chunk));
    }
    await fs.root().createDirPath("/views");
  });

  afterEach(async () => {
    for (const m of managers) await m.close();
    await fs.close();
  });

  function managerOf(source: FS): DerivedFileManager {
    const manager = new DerivedFileManager(source);
    managers.push(manager);
    return manager;
  }

  async function columnsOf(bytes: Uint8Array): Promise<string[]> {
    return (await readParquet(bytes)).schema.fields.map((f) => f.name);
  }

  describe("temporal-reduce", () => {
    it("stores its config once: writing the same config again writes nothing", async () => {
      const first = await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      expect(first.changed).toBe(true);
      const version = await fs.version();
      const again = await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", {
        ...CONFIG,
      });
      expect(again.changed).toBe(false);
      expect(await fs.version()).toBe(version);
      const meta = await fs.root().stat("/views/weather");
      expect(meta.attrs?.[DYNAMIC_KIND_ATTR]).toBe("temporal-reduce");
      const changed = await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", {
        ...CONFIG,
        resolutions: ["1h"],
      });
      expect(changed.changed).toBe(true);
      expect((await fs.root().stat("/views/weather")).version).toBe(2);
    });

    it("lists one directory per input and one output per resolution", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const { dynamic } = managerOf(fs);
      expect(await dynamic.readdir("/views/weather")).toEqual([
        { name: "north", entryType: "directory" },
        { name: "south", entryType: "directory" },
      ]);
      expect(await dynamic.readdir("/views/weather/north")).toEqual([
        { name: "res=1d.series", entryType: "file:table" },
        { name: "res=1h.series", entryType: "file:table" },
      ]);
      const stat = await dynamic.stat("/views/weather/south");
      expect(stat).toMatchObject({ entryType: "directory", size: 2, kind: "temporal-reduce" });
      await expect(dynamic.readdir("/views/weather/east")).rejects.toMatchObject({
        code: "ENOENT",
      });
      expect(await dynamic.locate("/sensors/north/weather")).toBeUndefined();
    });

    it("computes each output with the asked aggregations, as downsampling computes them", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const manager = managerOf(fs);
      const file = await manager.dynamic.readFile("/views/weather/north/res=1h.series");
      expect(await columnsOf(file.bytes)).toEqual([
        "timestamp",
        "value.avg",
        "value.max",
        "i32.count",
      ]);
      const [direct] = await manager.derive("downsample", "/sensors/north/weather", {
        resolutions: ["1h"],
      });
      const full = await readParquet(direct?.bytes as Uint8Array);
      const reduced = await readParquet(file.bytes);
      expect(reduced.numRows).toBe(full.numRows);
      for (const name of ["timestamp", "value.avg", "value.max", "i32.count"]) {
        expect(reduced.getChild(name)?.toArray()).toEqual(full.getChild(name)?.toArray());
      }
      // Served again from the manager's cache.
      const again = await manager.dynamic.readFile("/views/weather/north/res=1h.series");
      expect(again.cached).toBe(true);
    });

    it("takes a dynamic output as the input of another computation", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const manager = managerOf(fs);
      const [daily] = await manager.derive("downsample", "/views/weather/north/res=1h.series", {
        resolutions: ["1d"],
      });
      const table = await readParquet(daily?.bytes as Uint8Array);
      expect(table.schema.fields.map((f) => f.name)).toContain("value.avg.max");
      expect(table.numRows).toBeGreaterThan(0);
    });

    it("computes a past pond version from the inputs as they were then", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const before = await fs.version();
      const later = randomSeries({ rows: 300, unit: "ms", seed: 9, centerMs: 1.8e12 });
      await appendSeriesChunk(fs, "/sensors/north/weather", await toParquet(later));
      const old = await fs.atVersion(before);
      try {
        const then = await managerOf(old).dynamic.readFile("/views/weather/north/res=1d.series");
        const now = await managerOf(fs).dynamic.readFile("/views/weather/north/res=1d.series");
        const rowsThen = (await readParquet(then.bytes)).numRows;
        const rowsNow = (await readParquet(now.bytes)).numRows;
        expect(rowsNow).toBeGreaterThan(rowsThen);
        expect(then.inputs[0]?.version).toBe(1);
        expect(now.inputs[0]?.version).toBe(2);
      } finally {
        await old.close();
      }
    });

    it("reads an older pond version with the config it had then", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const before = await fs.version();
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", {
        ...CONFIG,
        resolutions: ["15m"],
      });
      const old = await fs.atVersion(before);
      try {
        expect(await managerOf(old).dynamic.readdir("/views/weather/north")).toEqual([
          { name: "res=1d.series", entryType: "file:table" },
          { name: "res=1h.series", entryType: "file:table" },
        ]);
        expect(await managerOf(fs).dynamic.readdir("/views/weather/north")).toEqual([
          { name: "res=15m.series", entryType: "file:table" },
        ]);
      } finally {
        await old.close();
      }
    });

    it("refuses writes to the node and into it with EROFS", async () => {
      await writeDynamicNode(fs.root(), temporalReduceKind, "/views/weather", CONFIG);
      const chunk = await toParquet(randomSeries({ rows: 10, unit: "ms", seed: 3 }));
      await expect(appendSeriesChunk(fs, "/views/weather", chunk)).rejects.toMatchObject({
        code: "EROFS",
      });
      await expect(fs.root().writeFile("/views/weather", "x")).rejects.toMatchObject({
        code: "EROFS",
      });
      await expect(fs.root().createDirPath("/views/weather/north/x")).rejects.toMatchObject({
        code: "EROFS",
      });
    });

    it("refuses to replace an ordinary file with EEXIST", async () => {
      await fs.root().writeFile("/views/plain", "x");
      await expect(
        writeDynamicNode(fs.root(), temporalReduceKind, "/views/plain", CONFIG),
      ).rejects.toMatchObject({ code: "EEXIST" });
    });

    it.each([
      [{ ...CONFIG, extra: 1 }, "config.extra: unknown key"],
      [{ ...CONFIG, in_pattern: 3 }, "config.in_pattern: must be a string"],
      [{ ...CONFIG, in_pattern: "sensors/*" }, "config.in_pattern: must be an absolute"],
      [{ ...CONFIG, in_pattern: "/a/b**" }, "config.in_pattern: `**` must be a whole"],
      [{ ...CONFIG, out_pattern: "$1" }, "config.out_pattern: $1 names no capture"],
      [{ ...CONFIG, resolutions: [] }, "config.resolutions: must be a non-empty list"],
      [{ ...CONFIG, resolutions: ["1x"] }, "config.resolutions.0: invalid resolution"],
      [{ ...CONFIG, lateness: "soon" }, "config.lateness: invalid duration"],
      [
        { ...CONFIG, aggregations: [{ columns: "*", ops: ["median"] }] },
        "config.aggregations.0.ops.0: must be one of avg, min, max, sum, count",
      ],
      [{ ...CONFIG, aggregations: [{ columns: "*" }] }, "config.aggregations.0.ops: missing"],
      [{ in_pattern: "/a/*" }, "config.out_pattern: missing"],
    ])("refuses a bad config with EINVAL naming the key (%#)", async (config, message) => {
      const error = await writeDynamicNode(
        fs.root(),
        temporalReduceKind,
        "/views/bad",
        config,
      ).catch((e: unknown) => e);
      expect(PondError.is(error, "EINVAL")).toBe(true);
      expect((error as PondError).detail).toContain(message);
      expect(await fs.root().exists("/views/bad")).toBe(false);
    });

    it("names where a bad key was written when given a locator", () => {
      const reader = new ConfigReader("temporal-reduce", (keys) => `line ${keys.length + 4}`);
      expect(() => temporalReduceKind.config({ ...CONFIG, lateness: 5 }, reader)).toThrow(
        "config.lateness: must be a string (line 5)",
      );
    });
  });
});
