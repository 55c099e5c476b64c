import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/bin.ts", "src/index.ts"],
  dts: { entry: "src/index.ts" },
  // Every output file gets it; only dist/bin.js is run directly.
  banner: { js: "#!/usr/bin/env node" },
});
