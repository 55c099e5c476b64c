// timeseries-join and timeseries-pivot nodes: one computed file of the series their globs match.

import { createMemoryFs } from "@pond/persistence-memory";
import type { FS } from "@pond/tinyfs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "../append-series-chunk.js";
import { DerivedFileManager } from "../derived-file-manager.js";
import { readParquet } from "../parquet-io.js";
import { randomSeries, toParquet } from "../testing/fixtures.js";
import { timeseriesJoinKind, timeseriesPivotKind } from "./aligned-kinds.js";
import { writeDynamicNode } from "./dynamic-nodes.js";

let fs: FS;
let manager: DerivedFileManager;

beforeEach(async () => {
  fs = await createMemoryFs();
  for (const [i, station] of ["north", "south"].entries()) {
    await fs.root().createDirPath(`/sensors/${station}`, { recursive: true });
    const chunk = randomSeries({ rows: 200, unit: "ms", seed: i + 7, spanMs: 60_000 });
    await appendSeriesChunk(fs, `/sensors/${station}/weather`, await toParquet(chunk));
  }
  await fs.root().createDirPath("/views");
  manager = new DerivedFileManager(fs);
});

afterEach(async () => {
  await manager.close();
  await fs.close();
});

const STATIONS = ["/sensors/north/weather", "/sensors/south/weather"];

describe("timeseries-join nodes", () => {
  it("are one file: the join of every match, scoped by its capture", async () => {
    const config = { inputs: [{ in_pattern: "/sensors/*/weather", scope: "$0" }] };
    await writeDynamicNode(fs.root(), timeseriesJoinKind, "/views/joined", config);
    const stat = await manager.dynamic.stat("/views/joined");
    expect(stat).toMatchObject({ entryType: "file:table", kind: "timeseries-join" });
    const file = await manager.dynamic.readFile("/views/joined");
    const [direct] = await manager.derive("timeseries-join", STATIONS, {
      scopes: ["north", "south"],
    });
    expect(file.key).toBe(direct?.key);
    const names = (await readParquet(file.bytes)).schema.fields.map((f) => f.name);
    expect(names).toContain("north.value");
    expect(names).toContain("south.label");
    await expect(manager.dynamic.readdir("/views/joined")).rejects.toMatchObject({
      code: "ENOTDIR",
    });
  });

  it("takes no dynamic node as an input, even through a link", async () => {
    const config = { inputs: [{ in_pattern: "/sensors/*/weather", scope: "$0" }] };
    await writeDynamicNode(fs.root(), timeseriesJoinKind, "/views/joined", config);
    await fs.root().createDirPath("/sensors/loop");
    await fs.root().createSymlinkPath("/sensors/loop/weather", "/views/joined");
    const file = await manager.dynamic.readFile("/views/joined");
    expect(file.inputs.map((i) => i.path)).toEqual(STATIONS);
  });

  it("refuses a scope naming a capture the pattern lacks", async () => {
    const config = { inputs: [{ in_pattern: "/sensors/north/weather", scope: "$0" }] };
    await expect(
      writeDynamicNode(fs.root(), timeseriesJoinKind, "/views/joined", config),
    ).rejects.toThrow("config.inputs.0.scope: $0 names no capture");
  });
});

describe("timeseries-pivot nodes", () => {
  it("are one file: one column of every match, named by its capture", async () => {
    const config = { in_pattern: "/sensors/*/weather", column: "value" };
    await writeDynamicNode(fs.root(), timeseriesPivotKind, "/views/values", config);
    const file = await manager.dynamic.readFile("/views/values");
    const table = await readParquet(file.bytes);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["timestamp", "north", "south"]);
    const [direct] = await manager.derive("timeseries-pivot", STATIONS, {
      column: "value",
      names: ["north", "south"],
    });
    expect(file.bytes).toEqual(direct?.bytes);
  });

  it("refuses a config without its column", async () => {
    await expect(
      writeDynamicNode(fs.root(), timeseriesPivotKind, "/views/values", {
        in_pattern: "/sensors/*/weather",
      }),
    ).rejects.toThrow("timeseries-pivot config.column: missing");
  });
});
