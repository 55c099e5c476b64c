import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/bin.ts", "src/index.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  target: "node20",
  // Every output file gets it; only dist/bin.js is run directly.
  banner: { js: "#!/usr/bin/env node" },
});
