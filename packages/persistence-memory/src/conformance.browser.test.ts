// The memory backend passes the conformance suite in Chromium, through the browser builds.

import { fileURLToPath } from "node:url";
import { ensureChromium, runInPage } from "@pond/browser-test";
import { describe, expect, it } from "vitest";

const chromium = ensureChromium();

// Starting Chromium and bundling take seconds on a loaded machine: slow, not stuck.
describe.skipIf("missing" in chromium)("in Chromium", () => {
  it("passes the conformance suite", async () => {
    const entry = fileURLToPath(new URL("./browser/conformance-page.ts", import.meta.url));
    const { results, pageErrors } = await runInPage((chromium as { path: string }).path, entry);
    const failed = results.filter((r) => r.state === "fail");
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
    const passed = results.filter((r) => r.state === "pass").length;
    // The suite registers over a hundred tests; only the two that need Node are skipped.
    expect(passed).toBeGreaterThan(100);
    expect(results.filter((r) => r.state === "skip").map((r) => r.name)).toEqual([
      expect.stringContaining("keeps Buffers' bytes apart too"),
      expect.stringContaining("transactions started together run one after another"),
    ]);
  }, 120_000);
});
