import { defineConfig } from "tsup";
import { packageDefaults } from "../../tools/tsconfig/tsup";

export default defineConfig({
  ...packageDefaults,
  entry: ["src/index.ts"],
});
