// The vitest settings every pond package tests with: an import of a pond package resolves to its
// source, so a package's tests run the current code of the packages it uses, built or not.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const PACKAGES = fileURLToPath(new URL("../../packages", import.meta.url));

interface Manifest {
  name: string;
  exports?: Record<string, string | { import?: string }>;
}

/** `@pond/tinyfs/testing` → packages/tinyfs/src/testing/index.ts, for every export of every package. */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  return readdirSync(PACKAGES).flatMap((dir) => {
    const manifest = JSON.parse(
      readFileSync(join(PACKAGES, dir, "package.json"), "utf8"),
    ) as Manifest;
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
      const built = typeof target === "string" ? undefined : target.import;
      if (!built?.startsWith("./dist/")) return [];
      const specifier = join(manifest.name, subpath).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const source = built.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts");
      return [{ find: new RegExp(`^${specifier}$`), replacement: join(PACKAGES, dir, source) }];
    });
  });
}

// A test gets a minute: beside builds and other suites on two cores, a test of a few hundred
// milliseconds has taken over vitest's default of 5 s. A stuck test still fails.
export const packageTestDefaults = defineConfig({
  resolve: { alias: sourceAliases() },
  test: { testTimeout: 60_000 },
});
