// Runs the native crate's own tests (cargo test) with the release build's target directory and
// host target, as build-native.mjs builds the addon, so that only the crate itself is compiled.
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const targetDir = process.env.CARGO_TARGET_DIR || join(homedir(), ".cache", "pond", "cargo-target");
const host = /^host: (\S+)$/m.exec(spawnSync("rustc", ["-vV"], { encoding: "utf8" }).stdout)?.[1];
const args = ["test", "--release", "--manifest-path", "native/Cargo.toml"];
if (host) args.push("--target", host);
const result = spawnSync("cargo", [...args, ...process.argv.slice(2)], {
  cwd: packageDir,
  stdio: "inherit",
  env: { ...process.env, CARGO_TARGET_DIR: targetDir },
});
process.exit(result.status ?? 1);
