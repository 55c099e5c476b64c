// The derived-files scenario run against any pond backend (memory now, oplog once it lands).

import type { FS } from "@pond/tinyfs";
import type { BackendUnderTest } from "@pond/tinyfs/testing";
import { Float64, Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { appendSeriesChunk } from "../append-series-chunk.js";
import { DerivedFileManager } from "../derived-file-manager.js";
import { visitParquet } from "../parquet-io.js";
import { int64Vector, numberVector, timestampType, toParquet } from "./fixtures.js";

const MINUTE = 60_000;

async function minuteChunk(startMinute: number, values: number[]): Promise<Uint8Array> {
  return toParquet(
    new Table({
      timestamp: int64Vector(
        timestampType("us"),
        values.map((_, i) => BigInt((startMinute * MINUTE + i * 1000) * 1000)),
      ),
      temperature: numberVector(new Float64(), values),
    }),
  );
}

/** [bucket start ms, temperature.avg, temperature.count] per row of a result. */
function rows(bytes: Uint8Array): Promise<Array<[number, number, number]>> {
  return visitParquet(bytes, (table) => {
    const at = (name: string) => table.fields.findIndex((f) => f.name === name);
    const out: Array<[number, number, number]> = [];
    for (const batch of table.batches) {
      const ts = batch.columns[at("timestamp")]?.values as Int32Array;
      const avg = batch.columns[at("temperature.avg")]?.values as Float64Array;
      const count = batch.columns[at("temperature.count")]?.values as Int32Array;
      for (let i = 0; i < batch.length; i++) {
        out.push([
          (ts[2 * i + 1] as number) * 2 ** 32 + ((ts[2 * i] as number) >>> 0),
          avg[i] as number,
          count[2 * i] as number,
        ]);
      }
    }
    return out;
  });
}

/**
 * Writes a series into a pond made by `backend`, downsamples it, appends a
 * version and sees the derived result change; with `backend.reopen`, the
 * reopened pond gives the same result again.
 */
export function describeDerivedEndToEnd(backend: BackendUnderTest): void {
  describe(`derived files over a ${backend.name} pond`, () => {
    it("writes a series, downsamples it, appends a version and sees the derived result change", async () => {
      let fs: FS = await backend.create();
      let manager = new DerivedFileManager(fs);
      try {
        await fs.root().createDirPath("/sensors");
        await appendSeriesChunk(fs, "/sensors/t1", await minuteChunk(0, [10, 20, 30]));
        const firstVersion = (await fs.history()).at(-1)?.version as number;
        const first = await manager.getDownsampledTimeseries("/sensors/t1", "1m");
        expect(await rows(first.bytes)).toEqual([[0, 20, 3]]);

        await fs.transaction(async (root) => {
          await appendSeriesChunk(root, "/sensors/t1", await minuteChunk(0, [40]));
          await appendSeriesChunk(root, "/sensors/t1", await minuteChunk(2, [1, 2, 3]));
        });
        const second = await manager.getDownsampledTimeseries("/sensors/t1", "1m");
        expect(second.key).not.toBe(first.key);
        expect(second.cached).toBe(false);
        expect(await rows(second.bytes)).toEqual([
          [0, 25, 4],
          [2 * MINUTE, 2, 3],
        ]);
        const hit = await manager.getDownsampledTimeseries("/sensors/t1", "1m");
        expect(hit.cached).toBe(true);
        expect(hit.key).toBe(second.key);

        // Time travel: the pond as of the first chunk derives the first result again.
        const past = await fs.atVersion(firstVersion);
        const pastManager = new DerivedFileManager(past);
        const old = await pastManager.getDownsampledTimeseries("/sensors/t1", "1m");
        expect(old.key).toBe(first.key);
        expect(old.bytes).toEqual(first.bytes);
        await pastManager.close();

        if (backend.reopen) {
          await manager.close();
          fs = await backend.reopen(fs);
          manager = new DerivedFileManager(fs);
          const reopened = await manager.getDownsampledTimeseries("/sensors/t1", "1m");
          expect(reopened.key).toBe(second.key);
          expect(reopened.bytes).toEqual(second.bytes);
        }
      } finally {
        await manager.close();
        await fs.close();
      }
    });
  });
}
