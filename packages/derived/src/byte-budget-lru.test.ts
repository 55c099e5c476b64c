// LRU bookkeeping under a byte budget and an entry count.

import { describe, expect, it } from "vitest";
import { ByteBudgetLru } from "./byte-budget-lru.js";

describe("ByteBudgetLru", () => {
  it("evicts least recently used first until the total fits", () => {
    const lru = new ByteBudgetLru<string>(100);
    lru.set("a", "A", 40);
    lru.set("b", "B", 40);
    lru.get("a");
    lru.set("c", "C", 40);
    expect(lru.evict("c")).toEqual(["B"]);
    expect(lru.bytes).toBe(80);
    expect([...lru.values()]).toEqual(["A", "C"]);
  });

  it("spares the one to keep, even over budget", () => {
    const lru = new ByteBudgetLru<string>(50);
    lru.set("a", "A", 40);
    lru.set("b", "B", 40);
    lru.set("c", "C", 200);
    expect(lru.evict("c")).toEqual(["A", "B"]);
    expect(lru.bytes).toBe(200);
    expect(lru.size).toBe(1);
  });

  it("evicts beyond the entry count even when the bytes fit", () => {
    const lru = new ByteBudgetLru<string>(1000, 2);
    lru.set("a", "A", 0);
    lru.set("b", "B", 0);
    lru.set("c", "C", 0);
    expect(lru.evict("c")).toEqual(["A"]);
    expect([...lru.values()]).toEqual(["B", "C"]);
  });

  it("replaces an entry's size when it is set again", () => {
    const lru = new ByteBudgetLru<string>(100);
    lru.set("a", "A", 40);
    lru.set("a", "A2", 10);
    expect(lru.bytes).toBe(10);
    expect(lru.delete("a")).toBe(true);
    expect(lru.bytes).toBe(0);
  });
});
