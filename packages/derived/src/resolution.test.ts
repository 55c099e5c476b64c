// Resolution parsing.

import { describe, expect, it } from "vitest";
import { parseResolution } from "./resolution.js";

describe("parseResolution", () => {
  it("reads milliseconds and duration strings", () => {
    expect(parseResolution(1)).toBe(1);
    expect(parseResolution(250)).toBe(250);
    expect(parseResolution("500ms")).toBe(500);
    expect(parseResolution("30s")).toBe(30_000);
    expect(parseResolution("1m")).toBe(60_000);
    expect(parseResolution("15m")).toBe(900_000);
    expect(parseResolution("1h")).toBe(3_600_000);
    expect(parseResolution("1d")).toBe(86_400_000);
    expect(parseResolution("2w")).toBe(1_209_600_000);
  });

  it("is EINVAL for anything else", () => {
    for (const bad of [
      0,
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "",
      "m",
      "1",
      "1.5h",
      "-1m",
      "1y",
      "1 m",
      "0s",
      2 ** 60,
    ]) {
      expect(() => parseResolution(bad), String(bad)).toThrow(
        expect.objectContaining({ code: "EINVAL" }),
      );
    }
    expect(() => parseResolution(null as never)).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
  });
});
