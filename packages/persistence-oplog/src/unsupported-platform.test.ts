// Importing the package where no native binary loads: one PondError, ENOTSUP, that names the
// platform and the package looked for and says how to build the binary from source.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const ENTRY = new URL("../dist/index.js", import.meta.url).href;

/** What importing the built package does in a process that reports `platform` and `arch`. */
function importOn(platform: string, arch: string): Record<string, string> {
  const pretend = [
    `Object.defineProperty(process, "platform", { value: ${JSON.stringify(platform)} });`,
    `Object.defineProperty(process, "arch", { value: ${JSON.stringify(arch)} });`,
  ].join("");
  const script = `import(${JSON.stringify(ENTRY)}).then(
    () => console.log(JSON.stringify({ loaded: "yes" })),
    (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })),
  );`;
  const child = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(pretend)}`, "--input-type=module"],
    { input: script, encoding: "utf8" },
  );
  expect(child.stderr).toBe("");
  return JSON.parse(child.stdout);
}

describe("importing on a platform without a binary", () => {
  it("fails with ENOTSUP naming the platform, the package and the way to build from source", () => {
    const error = importOn("freebsd", "riscv64");
    expect(error).toMatchObject({ name: "PondError", code: "ENOTSUP" });
    expect(error.message).toContain("no prebuilt native binary for freebsd-riscv64");
    expect(error.message).toContain("@pond/persistence-oplog-freebsd-riscv64");
    expect(error.message).toContain("build one from source with Rust");
    expect(error.message).not.toContain("\n");
  });

  it("says the platform's package did not load where one is published", () => {
    const error = importOn("darwin", "arm64");
    expect(error).toMatchObject({ name: "PondError", code: "ENOTSUP" });
    expect(error.message).toContain("the native binary for darwin-arm64 did not load");
    expect(error.message).toContain("@pond/persistence-oplog-darwin-arm64: not installed");
    expect(error.message).toContain("@pond/persistence-oplog-darwin-arm64");
    expect(error.message).toContain("reinstall with optional dependencies");
  });

  it("loads where the binary is", () => {
    expect(importOn(process.platform, process.arch)).toEqual({ loaded: "yes" });
  });
});
