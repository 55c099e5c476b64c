// Runs a vitest suite inside Chromium: the suite's page entry is bundled for browsers (every
// package resolved through its "browser" export condition), served from memory to a page,
// and the page's results are handed back.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launchChromium } from "./chromium.js";
import type { TestResult } from "./vitest-shim.js";

/** The made-up origin the page is served from; requests to it never leave the browser. */
const ORIGIN = "http://pond.test";

export interface PageRun {
  results: TestResult[];
  /** Console errors and uncaught exceptions of the page. */
  pageErrors: string[];
}

/**
 * Bundles `entry` (a module that registers tests and ends with
 * `await reportRegisteredTests()`), opens it in Chromium at `path` and returns
 * every test's result. `assets` maps URL paths to host files the page may fetch.
 */
export async function runInPage(
  chromiumPath: string,
  entry: string,
  assets: Record<string, string> = {},
): Promise<PageRun> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: { vitest: fileURLToPath(new URL("./vitest-shim.ts", import.meta.url)) },
  });
  const files = new Map<string, { body: Buffer | string; type: string }>([
    [
      "/",
      { body: '<!doctype html><script type="module" src="/suite.js"></script>', type: "text/html" },
    ],
    ["/suite.js", { body: bundle.outputFiles[0]?.text ?? "", type: "text/javascript" }],
  ]);
  for (const [path, file] of Object.entries(assets)) {
    files.set(path, { body: await readFile(file), type: contentType(path) });
  }
  const browser = await launchChromium(chromiumPath);
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const file = files.get(new URL(route.request().url()).pathname);
      return file
        ? route.fulfill({ body: file.body, contentType: file.type })
        : route.fulfill({ status: 404, body: "not found" });
    });
    // A script that fails before reporting never will: fail at once rather than wait.
    const crashed = new Promise<never>((_, reject) => {
      page.on("pageerror", (e) => reject(new Error(`the page failed: ${e.message}`)));
    });
    await page.goto(`${ORIGIN}/`);
    const handle = await Promise.race([
      page.waitForFunction(
        () => (globalThis as { pondTestResults?: unknown }).pondTestResults,
        undefined,
        { timeout: 0 },
      ),
      crashed,
    ]);
    return { results: (await handle.jsonValue()) as TestResult[], pageErrors };
  } finally {
    await browser.close();
  }
}

function contentType(path: string): string {
  if (path.endsWith(".wasm")) return "application/wasm";
  if (path.endsWith(".js")) return "text/javascript";
  return "application/octet-stream";
}
