// Parquet decoding into zero-copy column views, column selection and error codes; streamed writes.

import { PondError } from "@pond/tinyfs";
import {
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  tableFromArrays,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { ColumnView } from "./arrow-ffi.js";
import { looksLikeParquet, readParquet, visitParquet, writeParquetStream } from "./parquet-io.js";
import { int64Vector, timestampType, toParquet } from "./testing/fixtures.js";

const LENGTH = 70_000; // more than one 64 Ki-row batch

function valid(column: ColumnView, i: number): boolean {
  const bit = column.offset + i;
  return (
    column.validity === null || ((column.validity[bit >>> 3] as number) & (1 << (bit & 7))) !== 0
  );
}

describe("visitParquet", () => {
  it("views every numeric type, nulls included, across batches", async () => {
    const nullEvery = 7;
    const bitmap = new Uint8Array((LENGTH + 7) >>> 3);
    for (let i = 0; i < LENGTH; i++) {
      if (i % nullEvery !== 0) bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
    }
    const nulls = Math.ceil(LENGTH / nullEvery);
    const column = (type: never, data: ArrayLike<number | bigint>) =>
      makeVector(
        makeData({ type, length: LENGTH, nullCount: nulls, nullBitmap: bitmap, data } as never),
      );
    const ints = Array.from({ length: LENGTH }, (_, i) => (i % 2 ? -1 : 1) * ((i * 37) % 100));
    const positive = ints.map(Math.abs);
    const table = new Table({
      i8: column(new Int8() as never, Int8Array.from(ints)),
      u8: column(new Uint8() as never, Uint8Array.from(positive)),
      i16: column(
        new Int16() as never,
        Int16Array.from(ints, (v) => v * 300),
      ),
      u16: column(
        new Uint16() as never,
        Uint16Array.from(positive, (v) => v * 600),
      ),
      i32: column(
        new Int32() as never,
        Int32Array.from(ints, (v) => v * 20_000_000),
      ),
      u32: column(
        new Uint32() as never,
        Uint32Array.from(positive, (v) => v * 40_000_000),
      ),
      i64: column(
        new Int64() as never,
        BigInt64Array.from(ints, (v) => BigInt(v) * 2n ** 40n - 3n),
      ),
      u64: column(
        new Uint64() as never,
        BigUint64Array.from(positive, (v) => BigInt(v) * 2n ** 62n + 5n),
      ),
      f32: column(
        new Float32() as never,
        Float32Array.from(ints, (v) => v / 3),
      ),
      f64: column(
        new Float64() as never,
        Float64Array.from(ints, (v) => v / 7),
      ),
    });
    const expected = (name: string, i: number): number | bigint | null =>
      (table.getChild(name as "f64")?.get(i) as number | bigint | null | undefined) ?? null;
    await visitParquet(await toParquet(table), (view) => {
      expect(view.fields.map((f) => f.kind)).toEqual([
        "int8",
        "uint8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
        "float32",
        "float64",
      ]);
      expect(view.batches.length).toBe(2);
      let first = 0;
      for (const batch of view.batches) {
        for (let i = 0; i < batch.length; i += 97) {
          const at = first + i;
          view.fields.forEach((field, f) => {
            const c = batch.columns[f] as ColumnView;
            const want = expected(field.name, at);
            if (want === null) {
              expect(valid(c, i), `${field.name}[${at}] is null`).toBe(false);
              return;
            }
            expect(valid(c, i)).toBe(true);
            const values = c.values as ArrayLike<number>;
            if (field.kind === "int64" || field.kind === "uint64") {
              const lo = BigInt((values[2 * (c.offset + i)] as number) >>> 0);
              const hi = BigInt(values[2 * (c.offset + i) + 1] as number);
              const v =
                field.kind === "int64" ? (hi << 32n) | lo : BigInt.asUintN(64, (hi << 32n) | lo);
              expect(v, `${field.name}[${at}]`).toBe(want);
            } else {
              expect(values[c.offset + i], `${field.name}[${at}]`).toBe(want);
            }
          });
        }
        first += batch.length;
      }
      expect(first).toBe(LENGTH);
    });
  });

  it("decodes only the selected columns when a string column can be skipped", async () => {
    const table = new Table({
      timestamp: int64Vector(timestampType("ms"), [1n, 2n]),
      label: vectorFromArray(["a", "b"], new Utf8()),
      value: vectorFromArray([1.5, 2.5], new Float64()),
    });
    const bytes = await toParquet(table);
    const names = (select?: (f: readonly { name: string }[]) => string[]) =>
      visitParquet(bytes, (t) => t.fields.map((f) => f.name), undefined, select);
    expect(await names()).toEqual(["timestamp", "label", "value"]);
    expect(await names(() => ["timestamp", "value"])).toEqual(["timestamp", "value"]);
    // Skipping fixed-width columns only is not worth the slower reader.
    expect(await names(() => ["timestamp", "label"])).toEqual(["timestamp", "label", "value"]);
  });

  it("is EINVAL for what is not Parquet and CORRUPT for a damaged file", async () => {
    const good = await toParquet(new Table({ value: vectorFromArray([1, 2, 3], new Float64()) }));
    expect(looksLikeParquet(good)).toBe(true);
    const code = (bytes: Uint8Array, select?: () => string[]) =>
      visitParquet(bytes, () => "ok", "/f", select).then(
        (r) => r,
        (e: { code: string; path: string }) => `${e.code} ${e.path}`,
      );
    expect(await code(new TextEncoder().encode("not parquet at all"))).toBe("EINVAL /f");
    const damaged = good.slice();
    damaged.fill(0x55, 4, damaged.length - 8);
    expect(await code(damaged)).toBe("CORRUPT /f");
    expect(await code(damaged, () => ["value"])).toBe("CORRUPT /f");
    const truncated = new Uint8Array([...good.subarray(0, 4), ...good.subarray(good.length - 20)]);
    expect(await code(truncated, () => ["value"])).toBe("CORRUPT /f");
  });
});

describe("writeParquetStream", () => {
  const batch = (from: number, rows: number) =>
    tableToIPC(
      tableFromArrays({ id: Int32Array.from({ length: rows }, (_, i) => from + i) }),
      "stream",
    );
  const collect = async (pieces: AsyncIterable<Uint8Array>) => {
    const parts: Uint8Array[] = [];
    for await (const piece of pieces) parts.push(piece);
    return Buffer.concat(parts);
  };

  it("writes every batch, in order, into one file", async () => {
    async function* batches() {
      for (let i = 0; i < 5; i++) yield batch(i * 1000, 1000);
    }
    const table = await readParquet(
      await collect(writeParquetStream(batches(), { rowGroupRows: 1500 })),
    );
    expect(table.numRows).toBe(5000);
    expect(Array.from(table.getChild("id")?.toArray() ?? [])).toEqual(
      Array.from({ length: 5000 }, (_, i) => i),
    );
  });

  it("throws the batches' own failure, not the writer's", async () => {
    async function* batches() {
      yield batch(0, 10);
      throw new PondError("EINVAL", "the source broke");
    }
    await expect(collect(writeParquetStream(batches()))).rejects.toMatchObject({
      code: "EINVAL",
      message: expect.stringContaining("the source broke"),
    });
  });
});
