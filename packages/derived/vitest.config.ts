import { defineConfig } from "vitest/config";

export default defineConfig({
  // DuckDB runs the oracle queries; a million-row case takes seconds.
  test: { testTimeout: 60_000 },
});
