import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/index.ts"],
  // napi-rs's loader is build output beside the package's dist/, required at run time.
  external: [/native\/index\.cjs$/],
  // Bundled: Node loads apache-arrow's hundreds of modules in ~0.1 s, its used part in one file
  // in a fraction of that, and no Arrow object crosses this package's API.
  noExternal: ["apache-arrow"],
});
