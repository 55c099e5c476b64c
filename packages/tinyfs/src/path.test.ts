import { describe, expect, it } from "vitest";
import { PondError } from "./errors.js";
import { parsePath, validateName } from "./path.js";

describe("parsePath", () => {
  it("collapses repeated slashes and skips `.`, keeping `..` for the resolver", () => {
    expect(parsePath("//a/./b//../c/")).toEqual({
      absolute: true,
      components: ["a", "b", "..", "c"],
      trailingSlash: true,
      endsInDots: false,
    });
  });

  it("notes a final `.` or `..`", () => {
    expect(parsePath("a/..").endsInDots).toBe(true);
    expect(parsePath("a/.").endsInDots).toBe(true);
    expect(parsePath("a/b").endsInDots).toBe(false);
  });

  it("treats `/` as the root with no components", () => {
    expect(parsePath("/")).toEqual({
      absolute: true,
      components: [],
      trailingSlash: false,
      endsInDots: false,
    });
  });

  it("refuses empty paths, NUL and over-long names with EINVAL", () => {
    for (const bad of ["", "a\0b", `x/${"é".repeat(128)}`]) {
      expect(() => parsePath(bad)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    }
    expect(() => parsePath(`x/${"é".repeat(127)}z`)).not.toThrow();
  });
});

describe("validateName", () => {
  it("accepts ordinary names and refuses empty, dot names, `/`, NUL and over 255 bytes", () => {
    expect(() => validateName("data file (1).csv")).not.toThrow();
    for (const bad of ["", ".", "..", "a/b", "a\0", "x".repeat(256)]) {
      let error: unknown;
      try {
        validateName(bad, "/the/path");
      } catch (e) {
        error = e;
      }
      expect(PondError.is(error, "EINVAL")).toBe(true);
      expect((error as PondError).path).toBe("/the/path");
    }
  });
});
