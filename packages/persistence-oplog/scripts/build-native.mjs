// Builds the native addon (release) into native/: the .node file plus napi-rs's ESM loader and
// type definitions. Cargo's target dir is a cache outside the clone.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const targetDir = process.env.CARGO_TARGET_DIR || join(homedir(), ".cache", "pond", "cargo-target");
mkdirSync(targetDir, { recursive: true });

const args = [
  "napi",
  "build",
  "--platform",
  "--release",
  "--esm",
  "--manifest-path",
  "native/Cargo.toml",
  "--target-dir",
  targetDir,
  "--output-dir",
  "native",
  "--js",
  "index.js",
  "--dts",
  "index.d.ts",
  ...process.argv.slice(2),
];
const result = spawnSync("npx", ["--no-install", ...args], {
  cwd: packageDir,
  stdio: "inherit",
  env: { ...process.env, CARGO_TARGET_DIR: targetDir },
});
process.exit(result.status ?? 1);
