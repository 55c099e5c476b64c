import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/index.ts"],
  // The napi-rs loader is build output beside the package's dist/; it stays a runtime import.
  external: [/native\/index\.js$/],
  // Bundled: Node loads apache-arrow's hundreds of modules in ~0.1 s, its used part in one file
  // in a fraction of that, and no Arrow object crosses this package's API.
  noExternal: ["apache-arrow"],
});
