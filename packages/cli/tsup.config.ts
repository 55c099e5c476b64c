import { copyFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { defineConfig } from "tsup";
import { browserBuild, packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig([
  {
    ...packageDefaults,
    entry: ["src/bin.ts", "src/index.ts"],
    dts: { entry: "src/index.ts" },
    // Every output file gets it; only dist/bin.js is run directly.
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    // The script of the pages pond site writes, whole, with the wasm module it fetches beside it.
    ...browserBuild,
    entry: { page: "src/site/page/main.ts" },
    noExternal: [/.*/],
    splitting: false,
    minify: true,
    sourcemap: false,
    async onSuccess() {
      const wasm = createRequire(import.meta.url).resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");
      await copyFile(wasm, "dist/browser/parquet_wasm_bg.wasm");
    },
  },
]);
