import { defineConfig } from "tsup";
import { browserBuild, packageDefaults } from "../../tools/tsconfig/tsup";

const entry = ["src/index.ts", "src/backend/index.ts", "src/testing/index.ts"];
const external = ["vitest", "fast-check"];

export default defineConfig([
  { ...packageDefaults, entry, external },
  { ...browserBuild, entry, external },
]);
