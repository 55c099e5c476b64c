// The tsup settings every pond package builds with: ESM with declarations for Node 20.

import type { Options } from "tsup";

export const packageDefaults = {
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
} satisfies Options;
