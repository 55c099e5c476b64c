// Reading values of CSV text: ISO 8601 times, numbers, booleans and type widening.

import { describe, expect, it } from "vitest";
import {
  isoTimeIn,
  parseBoolean,
  parseFloat64,
  parseInt64,
  parseIsoTime,
  parseTimestamp,
  typeOfValue,
  widen,
} from "./csv-types.js";

function micros(text: string): bigint | undefined {
  const time = parseIsoTime(text);
  return time && isoTimeIn(time, "us");
}

describe("parseIsoTime", () => {
  it("reads offsets in every form, as Date does where both can", () => {
    const cases = [
      "2024-03-10T12:34:56Z",
      "2024-03-10T12:34:56.789+01:00",
      "2024-03-10T12:34:56.7-05:30",
      "2024-03-10T12:34:56+0200",
      "1969-12-31T23:59:59.999Z",
      "1900-02-28T00:00:00-12:00",
      "2024-02-29T23:59:59.001+14:00",
    ];
    for (const text of cases) expect(micros(text)).toBe(BigInt(Date.parse(text)) * 1000n);
    expect(micros("2024-03-10 12:34:56+02")).toBe(
      BigInt(Date.parse("2024-03-10T10:34:56Z")) * 1000n,
    );
    expect(micros("2024-03-10t12:34z")).toBe(BigInt(Date.parse("2024-03-10T12:34:00Z")) * 1000n);
  });

  it("takes a time without an offset, or a date alone, as UTC", () => {
    expect(micros("2024-03-10T12:34:56")).toBe(BigInt(Date.UTC(2024, 2, 10, 12, 34, 56)) * 1000n);
    expect(micros("2024-03-10")).toBe(BigInt(Date.UTC(2024, 2, 10)) * 1000n);
  });

  it("keeps nanoseconds exactly, and a comma for the point", () => {
    expect(parseIsoTime("2024-03-10T00:00:00,123456789Z")).toEqual({
      seconds: Date.UTC(2024, 2, 10) / 1000,
      nanos: 123_456_789,
      digits: 9,
    });
    const before1970 = parseIsoTime("1960-01-01T00:00:00.000000001Z");
    expect(before1970 && isoTimeIn(before1970, "ns")).toBe(-315_619_199_999_999_999n);
    expect(before1970 && isoTimeIn(before1970, "us")).toBeUndefined();
  });

  it("refuses impossible dates and times and anything not ISO 8601", () => {
    for (const text of [
      "2023-02-29",
      "2024-04-31",
      "2024-13-01",
      "2024-1-01",
      "2024-01-01T24:00",
      "2024-01-01T12:60",
      "2024-01-01T12:00:60",
      "2024-01-01T12",
      "2024-01-01T12:00:00.",
      "2024-01-01T12:00:00.1234567891",
      "2024-01-01T12:00:00+24:00",
      "2024-01-01T12:00:00+01:",
      "2024-01-01X12:00",
      "2024-01-01T12:00:00Z ",
      " 2024-01-01",
      "20240101",
    ]) {
      expect(parseIsoTime(text), text).toBeUndefined();
    }
  });
});

describe("CSV values", () => {
  it("reads epochs in a unit, keeping them exact or refusing", () => {
    expect(parseTimestamp("1700000000", "ms", "s")).toBe(1_700_000_000_000n);
    expect(parseTimestamp("1700000000123", "s", "ms")).toBe("is finer than timestamp[s]");
    expect(parseTimestamp("1700000000", "ms", undefined)).toBe("is not an ISO 8601 date or time");
    expect(parseTimestamp("9223372036854775807", "ns", "s")).toBe(
      "is out of range for timestamp[ns]",
    );
    expect(parseTimestamp("1500-01-01", "ns", undefined)).toBe("is out of range for timestamp[ns]");
  });

  it("reads numbers and booleans strictly", () => {
    expect(parseInt64("-9223372036854775808")).toBe(-(2n ** 63n));
    expect(parseInt64("9223372036854775808")).toBeUndefined();
    expect(parseInt64("1.0")).toBeUndefined();
    expect([".5", "1e-3", "-2.", "NaN", "-inf", "Infinity"].map(parseFloat64)).toEqual([
      0.5,
      0.001,
      -2,
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(["0x10", " 1", "1_000", "1e", "e1", ""].map(parseFloat64)).toEqual(
      Array(6).fill(undefined),
    );
    expect(["TRUE", "False", "yes", "1"].map(parseBoolean)).toEqual([
      true,
      false,
      undefined,
      undefined,
    ]);
  });

  it("widens types to the narrowest that holds both", () => {
    expect(["true", "12", "1.5", "2024-01-01T00:00:00.1234567Z", "x"].map(typeOfValue)).toEqual([
      "boolean",
      "int64",
      "float64",
      "timestamp[ns]",
      "string",
    ]);
    expect(widen("int64", "float64")).toBe("float64");
    expect(widen("timestamp[us]", "timestamp[ns]")).toBe("timestamp[ns]");
    expect(widen("boolean", "int64")).toBe("string");
    expect(widen("timestamp[us]", "int64")).toBe("string");
  });
});
