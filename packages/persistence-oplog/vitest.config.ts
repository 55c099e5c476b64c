import { defineConfig, mergeConfig } from "vitest/config";
import { packageTestDefaults } from "../../tools/tsconfig/vitest";

export default mergeConfig(
  packageTestDefaults,
  // Compactions, crash loops and child processes beside the other packages' tests: on a loaded
  // machine they are slow, not stuck.
  defineConfig({ test: { testTimeout: 60_000 } }),
);
