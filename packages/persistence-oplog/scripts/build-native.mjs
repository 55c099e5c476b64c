// Builds the op-log addon into native/: the .node for one platform, napi-rs's loader (index.cjs)
// and the binding's types (index.d.cts). The one place that knows how the addon is built:
// `npm run demo`, `npm test`, `pnpm build` and the release workflow all come through here.
//   node scripts/build-native.mjs [--target TRIPLE] [--profile release|dist]
//   node scripts/build-native.mjs --test [-- CARGO TEST ARGS]
//
// native/ is a cargo workspace: engine/ (the storage engine, a plain Rust library with its own
// tests) and napi/ (the addon over it). `--test` runs the workspace's tests with the release
// build's target directory and host target, so that only pond's crates are compiled again.
//
// `release` (the default) is the profile pond is developed and tested with: quick to rebuild
// after an edit. `dist` is what is published: the same code at link-time optimisation, smaller.
// Linux builds link through zig (cargo-zigbuild, with zig from PyPI's ziglang) against glibc
// 2.17's symbols, so a binary built on any Linux runs on glibc 2.28 and newer; musl builds link
// through zig too. Both tools are installed on first use under ~/.cache/pond, beside cargo's
// target directory.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ZIG = "0.17.1";
const CARGO_ZIGBUILD = "0.24.1";
const GLIBC_FLOOR = "2.17";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cache = join(homedir(), ".cache", "pond");
const targetDir = process.env.CARGO_TARGET_DIR || join(cache, "cargo-target");
mkdirSync(targetDir, { recursive: true });

const WORKSPACE = "native/Cargo.toml";
const ADDON = "native/napi/Cargo.toml";

const { values, positionals } = parseArgs({
  options: {
    target: { type: "string" },
    profile: { type: "string", default: "release" },
    test: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const target = values.target ?? hostTriple();
const profile = values.profile;
const env = { ...process.env, CARGO_TARGET_DIR: targetDir };
const linux = /-linux-(gnu|musl)/.test(target) && process.platform === "linux";
const zigTools = linux ? linuxTools() : undefined;
const viaZig = zigTools !== undefined;
if (viaZig) env.PATH = [...zigTools, env.PATH].join(delimiter);
const cargoTarget = viaZig && target.endsWith("-gnu") ? `${target}.${GLIBC_FLOOR}` : target;
if (values.test) process.exit(test(positionals));

const firstBuild = !existsSync(join(targetDir, target, profile));
console.error(
  firstBuild
    ? `pond: compiling the native addon (Rust: delta-rs and pond's crate) for ${target}. The first ` +
        "build takes about 15 minutes on 2 cores (more with --profile dist); later ones, seconds. " +
        "Cargo's progress follows."
    : `pond: building the native addon for ${target} (seconds, unless its Rust code changed)`,
);

const napi = createRequire(import.meta.url).resolve("@napi-rs/cli/package.json");
const args = [
  join(dirname(napi), "dist", "cli.js"),
  "build",
  "--platform",
  ...(profile === "release" ? ["--release"] : ["--profile", profile]),
  "--target",
  cargoTarget,
  ...(viaZig ? ["--cross-compile"] : []),
  "--manifest-path",
  ADDON,
  "--target-dir",
  targetDir,
  "--output-dir",
  "native",
  "--js",
  "index.cjs",
  "--dts",
  "index.d.cts",
];
const result = spawnSync(process.execPath, args, { cwd: packageDir, stdio: "inherit", env });
process.exit(result.status ?? 1);

/**
 * Runs the workspace's tests (cargo test) exactly as the addon is compiled (profile, target,
 * linker, target directory), so that they share its compiled dependencies; the exit status.
 */
function test(cargoArgs) {
  const args = [
    "test",
    ...(profile === "release" ? ["--release"] : ["--profile", profile]),
    "--target",
    cargoTarget,
    "--workspace",
    "--manifest-path",
    WORKSPACE,
    ...cargoArgs,
  ];
  const cargo = viaZig ? "cargo-zigbuild" : "cargo";
  return spawnSync(cargo, args, { cwd: packageDir, stdio: "inherit", env }).status ?? 1;
}

function hostTriple() {
  const info = execFileSync("rustc", ["-vV"], { encoding: "utf8" });
  const host = /^host: (\S+)$/m.exec(info)?.[1];
  if (!host) throw new Error(`rustc -vV names no host:\n${info}`);
  return host;
}

/**
 * The directories that hold zig and cargo-zigbuild, installed on first use. zig comes as a Python
 * module; cargo-zigbuild runs it as `python3 -m ziglang` when no `zig` is on the PATH, and the
 * venv's python3 comes first on it. Without Python (or its venv module) there is no zig: the
 * addon is then linked by the system's linker and needs this machine's glibc, which is enough for
 * `npm run demo`; `npm test` needs Python anyway.
 */
function linuxTools() {
  const zig = join(cache, `ziglang-${ZIG}`);
  const zigInstalled = join(zig, "installed");
  const tools = join(cache, `cargo-zigbuild-${CARGO_ZIGBUILD}`);
  const zigbuild = join(tools, "bin", "cargo-zigbuild");
  if (!existsSync(zigInstalled) || !existsSync(zigbuild)) {
    console.error(
      "pond: installing the Linux build tools into ~/.cache/pond, once: zig from PyPI (ziglang " +
        `${ZIG}) and cargo-zigbuild ${CARGO_ZIGBUILD} from crates.io (about a minute and a half)`,
    );
  }
  if (!existsSync(zigInstalled)) {
    if (!run("python3", ["-m", "venv", zig])) {
      console.error(
        "pond: no Python 3 with venv here, so no zig: the addon is linked by the system's linker " +
          "and needs this machine's glibc (install python3-venv for one that runs on glibc 2.28+)",
      );
      return undefined;
    }
    if (!run(join(zig, "bin", "python"), ["-m", "pip", "install", "--quiet", `ziglang==${ZIG}`])) {
      throw new Error(`pip could not install ziglang ${ZIG}`);
    }
    writeFileSync(zigInstalled, `ziglang ${ZIG}\n`);
  }
  if (
    !existsSync(zigbuild) &&
    !run("cargo", ["install", "--locked", "--root", tools, `cargo-zigbuild@${CARGO_ZIGBUILD}`])
  ) {
    throw new Error(`cargo could not install cargo-zigbuild ${CARGO_ZIGBUILD}`);
  }
  return [join(zig, "bin"), join(tools, "bin")];
}

/** Runs a command in view; whether it succeeded. */
function run(command, commandArgs) {
  return spawnSync(command, commandArgs, { stdio: "inherit" }).status === 0;
}
