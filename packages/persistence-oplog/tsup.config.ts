import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/index.ts"],
  // napi-rs's loader is build output beside the package's dist/, required at run time.
  // The query engine's results are the caller's apache-arrow objects: it imports the package's
  // own entry file (the module "apache-arrow" is in Node), which stays outside the bundle.
  external: [/native\/index\.cjs$/, /^apache-arrow\/Arrow\.node$/],
  // Bundled otherwise: Node loads apache-arrow's hundreds of modules in ~0.1 s, its used part in
  // one file in a fraction of that.
  noExternal: [/^apache-arrow$/],
});
