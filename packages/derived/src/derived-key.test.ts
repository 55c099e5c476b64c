// Canonical, hashed cache keys.

import { describe, expect, it } from "vitest";
import { canonicalJson, derivedKey } from "./derived-key.js";

const input = { nodeId: "0190f8a0-0000-7000-8000-000000000001", version: 3 };

describe("derivedKey", () => {
  it("is the same for the same parameters in any key order", () => {
    const a = derivedKey("downsample", { b: 1, a: { y: [1, "x"], x: null } }, [input]);
    const b = derivedKey("downsample", { a: { x: null, y: [1, "x"] }, b: 1, c: undefined }, [
      input,
    ]);
    expect(b).toEqual(a);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.text).toContain(`${input.nodeId}@3`);
  });

  it("differs when the computation, a parameter, an input or its version differs", () => {
    const base = derivedKey("c", { p: 1 }, [input]);
    const others = [
      derivedKey("d", { p: 1 }, [input]),
      derivedKey("c", { p: 2 }, [input]),
      derivedKey("c", { p: "1" }, [input]),
      derivedKey("c", { p: 1 }, [{ ...input, version: 4 }]),
      derivedKey("c", { p: 1 }, [{ ...input, nodeId: "0190f8a0-0000-7000-8000-000000000002" }]),
      derivedKey("c", { p: 1 }, [input, input]),
    ];
    for (const other of others) expect(other.hash).not.toBe(base.hash);
  });

  it("rejects values JSON cannot hold exactly, and unsafe computation names", () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      new Map(),
      [undefined],
      () => 1,
      1n,
    ]) {
      expect(() => canonicalJson({ p: bad }), String(bad)).toThrow(
        expect.objectContaining({ code: "EINVAL" }),
      );
    }
    for (const name of ["", ".", "..", "a/b", "-x", "a b", "x".repeat(101)]) {
      expect(() => derivedKey(name, {}, [input]), name).toThrow(
        expect.objectContaining({ code: "EINVAL" }),
      );
    }
  });
});
