import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // fixtures/ holds the files of the consumer project, its own vitest file among them.
    include: ["src/**/*.test.ts"],
    globalSetup: ["src/global-setup.ts"],
    // npm install of the packed project downloads what is not in npm's cache yet; the demo and
    // the type checks start processes of their own. Slow on a loaded machine, not stuck.
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
