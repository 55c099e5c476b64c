// The tsup settings every pond package builds with: ESM with declarations for Node 20, and for
// the packages that also run in browsers, a second build under dist/browser.

import type { Options } from "tsup";

export const packageDefaults = {
  format: ["esm"],
  dts: true,
  // The browser build writes dist/browser at the same time.
  clean: ["!browser/**"],
  sourcemap: true,
  target: "node20",
} satisfies Options;

/**
 * The build that package.json's "browser" export condition names: the package's
 * `#platform/*` imports resolve to their browser variants, and no `node:` module may be
 * imported. Declarations are the Node build's.
 */
export const browserBuild = {
  format: ["esm"],
  dts: false,
  clean: true,
  sourcemap: true,
  platform: "browser",
  target: "es2022",
  outDir: "dist/browser",
} satisfies Options;
