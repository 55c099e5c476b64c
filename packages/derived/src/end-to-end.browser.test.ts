// Derived files work in Chromium: the end-to-end scenario through the browser builds.

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ensureChromium, runInPage } from "@pond/browser-test";
import { describe, expect, it } from "vitest";

const chromium = ensureChromium();

// Starting Chromium and bundling take seconds on a loaded machine: slow, not stuck.
describe.skipIf("missing" in chromium)("in Chromium", () => {
  it("writes, downsamples and time-travels a series in a page", async () => {
    const entry = fileURLToPath(new URL("./browser/end-to-end-page.ts", import.meta.url));
    const wasm = createRequire(import.meta.url).resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");
    const { results, pageErrors } = await runInPage((chromium as { path: string }).path, entry, {
      "/parquet_wasm_bg.wasm": wasm,
    });
    expect(results.filter((r) => r.state !== "pass")).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
