// Finding the time column and converting its values to epoch milliseconds exactly.

import { describe, expect, it } from "vitest";
import type { ColumnView, FieldInfo, TimeUnit } from "./arrow-ffi.js";
import { random } from "./testing/fixtures.js";
import {
  findTimestampColumn,
  type TimestampColumn,
  timeBounds,
  toEpochMillis,
} from "./timestamp-column.js";

const PER_MS: Record<TimeUnit, bigint> = { s: 1n, ms: 1n, us: 1_000n, ns: 1_000_000n };

/** floor(v / d) on BigInt, the reference. */
function floorDiv(v: bigint, d: bigint): bigint {
  const q = v / d;
  return v % d !== 0n && v < 0n !== d < 0n ? q - 1n : q;
}

function int64Column(values: bigint[], nulls: number[] = []): ColumnView {
  const words = new Int32Array(new BigInt64Array(values).buffer);
  const bits = new Uint8Array((values.length + 7) >>> 3).fill(255);
  for (const i of nulls) bits[i >>> 3] = (bits[i >>> 3] as number) & ~(1 << (i & 7));
  const validity = nulls.length > 0 ? bits : null;
  return { length: values.length, offset: 0, nullCount: nulls.length, validity, values: words };
}

function randomInt64(next: () => number, magnitude: number): bigint {
  const v =
    BigInt(Math.floor(next() * magnitude)) * BigInt(Math.floor(next() * 2 ** 20) + 1) +
    BigInt(Math.floor(next() * 2 ** 30));
  return next() < 0.5 ? -v : v;
}

describe("toEpochMillis", () => {
  for (const unit of ["s", "ms", "us", "ns"] as TimeUnit[]) {
    it(`floors ${unit} to whole milliseconds exactly, negative values included`, () => {
      const next = random(unit.length * 31);
      // Magnitudes up to ~9e18 ns / 9e15 us (the int64 limit), smaller for s and ms.
      const scale = { s: 2 ** 12, ms: 2 ** 22, us: 2 ** 32, ns: 2 ** 42 }[unit];
      const values: bigint[] = [0n, -1n, 1n, -999_999n, -1_000_000n, -1_000_001n, 999_999n];
      for (let i = 0; i < 20_000; i++) values.push(randomInt64(next, scale));
      const time: TimestampColumn = { index: 0, name: "t", unit, storage: "int64" };
      const out = new Float64Array(values.length);
      toEpochMillis(int64Column(values), time, out);
      values.forEach((v, i) => {
        const expected = unit === "s" ? v * 1000n : floorDiv(v, PER_MS[unit]);
        expect(out[i], `${v} ${unit}`).toBe(Number(expected));
      });
    });
  }

  it("gives NaN for null times and times outside the range", () => {
    const time: TimestampColumn = { index: 0, name: "t", unit: "ms", storage: "int64" };
    const out = new Float64Array(4);
    toEpochMillis(int64Column([10n, 20n, 30n, 40n], [1]), time, out, 15, 40);
    expect([...out]).toEqual([Number.NaN, Number.NaN, 30, Number.NaN]);
  });

  it("converts int32 epoch columns", () => {
    const column: ColumnView = {
      length: 3,
      offset: 1,
      nullCount: 0,
      validity: null,
      values: new Int32Array([99, -1, 0, 1_999_999]),
    };
    const out = new Float64Array(3);
    toEpochMillis(column, { index: 0, name: "t", unit: "us", storage: "int32" }, out);
    expect([...out]).toEqual([-1, 0, 1999]);
    toEpochMillis(column, { index: 0, name: "t", unit: "s", storage: "int32" }, out);
    expect([...out]).toEqual([-1000, 0, 1_999_999_000]);
  });
});

describe("timeBounds", () => {
  it("finds the exact smallest and largest time, skipping nulls", () => {
    const values = [5n, -(2n ** 62n) - 7n, 2n ** 62n + 3n, -1n, 2n ** 63n - 1n];
    const time: TimestampColumn = { index: 0, name: "t", unit: "ns", storage: "int64" };
    expect(timeBounds(int64Column(values, [4]), time)).toEqual({
      min: -(2n ** 62n) - 7n,
      max: 2n ** 62n + 3n,
    });
    expect(timeBounds(int64Column([1n], [0]), time)).toBeUndefined();
  });
});

describe("findTimestampColumn", () => {
  const f = (name: string, kind: FieldInfo["kind"], unit?: TimeUnit): FieldInfo => ({
    name,
    format: kind,
    kind,
    ...(unit && { unit }),
  });

  it("prefers a named column, then a conventionally named timestamp, then any timestamp", () => {
    const fields = [f("x", "float64"), f("when", "timestamp", "us"), f("Time", "timestamp", "ns")];
    expect(findTimestampColumn(fields, {}).name).toBe("Time");
    expect(findTimestampColumn(fields, { column: "when" }).unit).toBe("us");
    expect(findTimestampColumn(fields.slice(0, 2), {}).name).toBe("when");
  });

  it("takes an integer epoch column only with a unit", () => {
    const fields = [f("ts", "int64"), f("v", "float64")];
    expect(() => findTimestampColumn(fields, {})).toThrow(/give its unit/);
    expect(findTimestampColumn(fields, { unit: "ms" })).toMatchObject({ name: "ts", unit: "ms" });
  });

  it("is EINVAL without a time column or for a named column of another type", () => {
    expect(() => findTimestampColumn([f("v", "float64")], {})).toThrow(/no time column/);
    expect(() => findTimestampColumn([f("v", "float64")], { column: "v" })).toThrow(
      /not a timestamp/,
    );
    expect(() => findTimestampColumn([f("v", "float64")], { column: "w" })).toThrow(
      /no column named/,
    );
  });
});
