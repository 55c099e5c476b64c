import { PondError } from "@pond/tinyfs";
import { describe, expect, it } from "vitest";
import { fromNative } from "./native-error.js";

/** An error as the addon throws it: a JS Error whose code is the engine's. */
function addonError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("native errors as PondErrors", () => {
  it("keeps a panic or internal state of the addon as INTERNAL, not as an I/O failure", () => {
    const cause = addonError("INTERNAL", "scanPartition panicked: index out of bounds");
    const error = fromNative(cause);
    expect(PondError.is(error, "INTERNAL")).toBe(true);
    expect(error.message).toContain("scanPartition panicked: index out of bounds");
    expect(error.cause).toBe(cause);
  });

  it("maps the addon's codes by name, IO to EIO and anything unknown to EIO", () => {
    const codes = ["ENOENT", "EEXIST", "EINVAL", "CORRUPT", "CLOSED", "ENOSPC", "IO", "WHAT"];
    expect(codes.map((code) => fromNative(addonError(code, "m")).code)).toEqual([
      "ENOENT",
      "EEXIST",
      "EINVAL",
      "CORRUPT",
      "CLOSED",
      "ENOSPC",
      "EIO",
      "EIO",
    ]);
  });
});
