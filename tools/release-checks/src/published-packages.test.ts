// Each tarball as a registry would serve it: publint's package checks, and arethetypeswrong's
// check of the types every entry point resolves to under each module resolution (ESM only).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";

const tarballs = inject("tarballs");

/** The command an installed package provides (its only `bin`), as a file to run with node. */
function bin(pkg: string): string {
  const paths = createRequire(import.meta.url).resolve.paths(pkg) ?? [];
  const dir = paths.map((p) => join(p, pkg)).find((d) => existsSync(join(d, "package.json")));
  if (!dir) throw new Error(`${pkg} is not installed`);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  return join(dir, Object.values(manifest.bin as Record<string, string>)[0] as string);
}

describe.each(tarballs)("$name", ({ name, file }) => {
  it("has nothing publint warns about, suggestions included", () => {
    const out = execFileSync(process.execPath, [bin("publint"), file, "--strict"], {
      encoding: "utf8",
    });
    expect(out).toMatch(/All good!/);
  });

  // A platform package holds a binary its main package loads: no JavaScript, no types.
  it.skipIf(/^@pond\/persistence-oplog-/.test(name))(
    "has types arethetypeswrong finds right for ESM",
    () => {
      // attw exits non-zero on any problem that counts under the profile.
      const args = [
        bin("@arethetypeswrong/cli"),
        file,
        "--profile",
        "esm-only",
        "--format",
        "json",
      ];
      const out = execFileSync(process.execPath, args, { encoding: "utf8" });
      expect(JSON.parse(out).analysis.types).toEqual({ kind: "included" });
    },
  );
});
