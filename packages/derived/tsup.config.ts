import { defineConfig } from "tsup";
import { browserBuild, packageDefaults } from "../../tools/tsconfig/tsup";

const entry = ["src/index.ts"];

export default defineConfig([
  { ...packageDefaults, entry },
  { ...browserBuild, entry },
]);
