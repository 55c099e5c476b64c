import { defineConfig, mergeConfig } from "vitest/config";
import { packageTestDefaults } from "../../tools/tsconfig/vitest";

export default mergeConfig(
  packageTestDefaults,
  // The node-id test starts processes; on a loaded machine that takes more than 5 s.
  defineConfig({ test: { testTimeout: 60_000 } }),
);
