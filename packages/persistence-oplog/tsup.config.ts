import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/index.ts"],
  // The napi-rs loader is build output beside the package's dist/; it stays a runtime import.
  external: [/native\/index\.js$/],
});
