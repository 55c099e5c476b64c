import { defineConfig, mergeConfig } from "vitest/config";
import { packageTestDefaults } from "../../tools/tsconfig/vitest";

export default mergeConfig(
  packageTestDefaults,
  // DuckDB runs the oracle queries; a million-row case takes seconds.
  defineConfig({ test: { testTimeout: 60_000 } }),
);
