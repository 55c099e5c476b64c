import { defineConfig, mergeConfig } from "vitest/config";
import { packageTestDefaults } from "../../tools/tsconfig/vitest";

export default mergeConfig(
  packageTestDefaults,
  defineConfig({
    test: {
      // Every test spawns the built binary, several times; on a loaded machine that is slow, not stuck.
      testTimeout: 120_000,
      hookTimeout: 60_000,
      globalSetup: ["src/testing/cache-dir-setup.ts"],
    },
  }),
);
