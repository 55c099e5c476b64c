// The dynamic node reader: kinds registered by callers, stored nodes it cannot read, and paths.

import { createMemoryFs } from "@pond/persistence-memory";
import { DYNAMIC_KIND_ATTR, type FS, PondError } from "@pond/tinyfs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendSeriesChunk } from "../append-series-chunk.js";
import { DerivedFileManager } from "../derived-file-manager.js";
import { readParquet } from "../parquet-io.js";
import type { ReduceOp } from "../rollup-state.js";
import { randomSeries, toParquet } from "../testing/fixtures.js";
import type { DynamicKind } from "./dynamic-kind.js";
import { writeDynamicNode } from "./dynamic-nodes.js";
import { temporalReduceKind } from "./temporal-reduce-kind.js";

/** A kind of one file: the bytes of the file its config names, uppercased, through `get`. */
const shout: DynamicKind<{ of: string }> = {
  name: "shout",
  directory: false,
  config(raw, reader) {
    const c = reader.object(raw, [], ["of"]);
    return { of: reader.string(c.of, ["of"]) };
  },
  async outputs(config, { manager }) {
    return [
      {
        names: [],
        entryType: "file:data",
        compute: () =>
          manager.get("shout", config.of, {}, async ({ inputs }) => {
            const text = new TextDecoder().decode(await inputs[0]?.read());
            return new TextEncoder().encode(text.toUpperCase());
          }),
      },
    ];
  },
};

let fs: FS;
let manager: DerivedFileManager;

beforeEach(async () => {
  fs = await createMemoryFs();
  await fs.root().writeFile("/note", "hello");
  manager = new DerivedFileManager(fs, { kinds: [shout as DynamicKind] });
});

afterEach(async () => {
  await manager.close();
  await fs.close();
});

describe("DynamicNodes", () => {
  it("reads a node of a kind given to the manager", async () => {
    await writeDynamicNode(fs.root(), shout as DynamicKind, "/loud", { of: "/note" });
    const file = await manager.dynamic.readFile("loud");
    expect(new TextDecoder().decode(file.bytes)).toBe("HELLO");
    await fs.root().writeFile("/note", "bye");
    expect(new TextDecoder().decode((await manager.dynamic.readFile("/loud")).bytes)).toBe("BYE");
  });

  it("refuses a kind registered twice", () => {
    expect(() => manager.dynamic.register(temporalReduceKind as DynamicKind)).toThrow(
      "dynamic node kind temporal-reduce is already registered",
    );
  });

  it("reports a stored node of an unknown kind, or whose config is not JSON", async () => {
    await fs.root().writeFile("/odd", "{}", { attrs: { [DYNAMIC_KIND_ATTR]: "nope" } });
    await expect(manager.dynamic.readFile("/odd")).rejects.toMatchObject({ code: "EINVAL" });
    await fs.root().writeFile("/bad", "{", { attrs: { [DYNAMIC_KIND_ATTR]: "shout" } });
    await expect(manager.dynamic.readFile("/bad")).rejects.toMatchObject({
      code: "CORRUPT",
      path: "/bad",
    });
  });

  it("tells a file in the way from a dynamic node", async () => {
    await expect(manager.dynamic.locate("/note/x")).rejects.toMatchObject({ code: "ENOTDIR" });
    await expect(manager.dynamic.locate("/missing")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(manager.dynamic.readFile("/note")).rejects.toSatisfy((e: unknown) =>
      PondError.is(e, "EINVAL"),
    );
  });

  it("reads a temporal-reduce output as the temporal-reduce computation makes it", async () => {
    await fs.root().createDirPath("/s/a", { recursive: true });
    const chunk = randomSeries({ rows: 50, unit: "ms", seed: 1 });
    await appendSeriesChunk(fs, "/s/a/weather", await toParquet(chunk));
    const aggregations = [{ columns: "*", ops: ["sum", "count"] as ReduceOp[] }];
    await writeDynamicNode(fs.root(), temporalReduceKind as DynamicKind, "/sums", {
      in_pattern: "/s/*/weather",
      out_pattern: "$0",
      resolutions: ["1h"],
      aggregations,
    });
    const file = await manager.dynamic.readFile("/sums/a/res=1h.series");
    const [direct] = await manager.derive("temporal-reduce", "/s/a/weather", {
      resolutions: ["1h"],
      aggregations,
    });
    expect(file.bytes).toEqual(direct?.bytes);
    expect((await readParquet(file.bytes)).numRows).toBeGreaterThan(0);
  });
});
