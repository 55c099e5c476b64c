import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every test spawns the built binary, several times; on a loaded machine that is slow, not stuck.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
