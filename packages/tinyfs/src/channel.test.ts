import { describe, expect, it } from "vitest";
import { Channel } from "./channel.js";
import { AsyncLock } from "./lock.js";

describe("Channel", () => {
  it("delivers pushed values in order and ends", async () => {
    const channel = new Channel<number>();
    const received: number[] = [];
    const consumer = (async () => {
      for await (const value of channel) received.push(value);
    })();
    await channel.push(1);
    await channel.push(2);
    channel.end();
    await consumer;
    expect(received).toEqual([1, 2]);
  });

  it("a push resolves only once the consumer took the value", async () => {
    const channel = new Channel<number>();
    let taken = false;
    const pushed = channel.push(1).then(() => {
      taken = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(taken).toBe(false);
    const iterator = channel[Symbol.asyncIterator]();
    await iterator.next();
    await pushed;
    expect(taken).toBe(true);
  });

  it("a failure rejects waiting pushes and the consumer", async () => {
    const channel = new Channel<number>();
    const pushed = channel.push(1);
    channel.fail(new Error("gone"));
    await expect(pushed).rejects.toThrow("gone");
    await expect(channel.push(2)).rejects.toThrow("gone");
    await expect(channel[Symbol.asyncIterator]().next()).rejects.toThrow("gone");
  });
});

describe("AsyncLock", () => {
  it("runs holders one at a time, first come first served", async () => {
    const lock = new AsyncLock();
    const order: string[] = [];
    const task = (name: string, ms: number) =>
      lock.run(async () => {
        order.push(`${name}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${name}-`);
      });
    await Promise.all([task("a", 20), task("b", 1), task("c", 1)]);
    expect(order).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("releases the lock when the holder throws", async () => {
    const lock = new AsyncLock();
    await expect(lock.run(async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await lock.run(async () => 42)).toBe(42);
  });
});
