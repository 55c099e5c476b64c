import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // The napi-rs loader is build output beside the package's dist/; it stays a runtime import.
  external: [/native\/index\.js$/],
});
