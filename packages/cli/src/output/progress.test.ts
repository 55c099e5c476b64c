// The progress bar: drawn on a terminal only, and only for work that takes a while.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutputStream } from "../io.js";
import { startProgress } from "./progress.js";

/** A stream that records what is written, synchronously. */
function recorder(isTTY: boolean): { stream: OutputStream; written: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 100,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  };
  return { stream: stream as unknown as OutputStream, written: () => chunks.join("") };
}

describe("startProgress", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("draws a bar on a terminal once work takes a while, and erases it when done", () => {
    const { stream, written } = recorder(true);
    const progress = startProgress(stream, { label: "copying", total: 4 * 2 ** 20, unit: "bytes" });
    progress.advance(2 ** 20, "a.bin");
    vi.advanceTimersByTime(300);
    progress.done();
    const text = written();
    expect(text).toContain("copying [");
    expect(text).toContain(" 25%  1.0 MiB/4.0 MiB  a.bin");
    expect(text.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("draws a spinner when the total is unknown", () => {
    const { stream, written } = recorder(true);
    const progress = startProgress(stream, { label: "downsampling", unit: "items" });
    vi.advanceTimersByTime(500);
    progress.done();
    expect(written()).toMatch(/[|/\\-] downsampling {2}\d+ ms/);
  });

  it("writes nothing when the work ends quickly", () => {
    const { stream, written } = recorder(true);
    const progress = startProgress(stream, { label: "copying", total: 10, unit: "items" });
    progress.advance(10);
    progress.done();
    vi.advanceTimersByTime(1000);
    expect(written()).toBe("");
  });

  it("writes nothing at all when not a terminal", () => {
    const { stream, written } = recorder(false);
    const progress = startProgress(stream, { label: "copying", total: 10, unit: "items" });
    vi.advanceTimersByTime(1000);
    progress.done();
    expect(written()).toBe("");
  });
});
