// Host paths made from pond names stay below the directory they are joined to.

import { join } from "node:path";
import { PondError } from "@pond/tinyfs";
import { describe, expect, it } from "vitest";
import { hostPathBelow } from "./confined-path.js";

describe("hostPathBelow", () => {
  const base = "/tmp/out";

  it("joins names below the base", () => {
    expect(hostPathBelow(base, "", "/")).toBe(base);
    expect(hostPathBelow(base, "a/b.txt", "/a/b.txt")).toBe(join(base, "a", "b.txt"));
    expect(hostPathBelow(base, "..hidden/x..y", "/p")).toBe(join(base, "..hidden", "x..y"));
  });

  it("refuses names that would leave it, as CORRUPT naming the pond path", () => {
    for (const names of ["..", "../x", "a/../../etc/passwd", "a//b", "./a", "a/.", "nul\0x"]) {
      let error: unknown;
      try {
        hostPathBelow(base, names, "/d/evil");
      } catch (e) {
        error = e;
      }
      expect(PondError.is(error, "CORRUPT"), names).toBe(true);
      expect((error as PondError).path).toBe("/d/evil");
    }
  });
});
