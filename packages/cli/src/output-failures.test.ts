// When pond's output cannot be written: a full disk (stdout or an export target) ends the command
// with one ENOSPC line and exit 1; a reader that went away ends it quietly, with exit 1.

import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BIN, runPond, spawnPond, useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

const MIB = 1024 * 1024;

/** A pond with a small file, a directory and a 10 MiB file. */
async function filledPond() {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("small.txt"), "small\n");
  await writeFile(s.path("big.bin"), new Uint8Array(10 * MIB).fill(7));
  await s.ok("mkdir", "/d");
  await s.ok("copy", "small.txt", "big.bin", "/d/");
  return s;
}

describe("a full stdout", () => {
  it("ends cat, log, ls and show with one ENOSPC line and exit 1", async () => {
    const s = await filledPond();
    const full = openSync("/dev/full", "w");
    try {
      for (const args of [
        ["cat", "/d/small.txt"],
        ["cat", "/d/big.bin"],
        ["log"],
        ["ls", "**"],
        ["ls", "-l", "**"],
        ["show"],
      ]) {
        const run = await runPond(["--pond", s.pondDir, ...args], { cwd: s.dir, stdout: full });
        expect(run.err, args.join(" ")).toBe("pond: ENOSPC: stdout: no space left on device\n");
        expect(run.code).toBe(1);
      }
    } finally {
      closeSync(full);
    }
  });
});

describe("a reader that goes away", () => {
  it("ends pond cat quietly, with exit 1 since the output was cut short", async () => {
    const s = await filledPond();
    const child = spawnPond(["--pond", s.pondDir, "cat", "/d/big.bin"], { cwd: s.dir });
    let err = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.once("data", () => child.stdout?.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(1);
  });
});

/** Whether this machine lets an unprivileged process mount a tmpfs in namespaces of its own. */
function canMountTmpfs(dir: string): boolean {
  const probe = spawnSync("unshare", [
    "--user",
    "--map-root-user",
    "--mount",
    "sh",
    "-c",
    `mount -t tmpfs -o size=1m tmpfs "${dir}"`,
  ]);
  return probe.status === 0;
}

describe("a full export target", () => {
  it("is one ENOSPC line, and what was written is removed", async (context) => {
    const s = await filledPond();
    const disk = s.path("small-disk");
    mkdirSync(disk);
    if (!canMountTmpfs(disk)) {
      context.skip("this machine does not let a test mount a small tmpfs");
      return;
    }
    // Inside a namespace of its own `disk` is a 4 MiB tmpfs, which the 10 MiB file fills; what is
    // left on it is listed before the namespace, and the tmpfs, go away.
    const script =
      'mount -t tmpfs -o size=4m tmpfs "$0" && { "$@"; status=$?; echo "left:$(ls -A "$0")"; exit $status; }';
    const pond = [BIN, "--pond", s.pondDir, "export", "-r", "/", `${disk}/out`];
    const run = spawnSync(
      "unshare",
      ["--user", "--map-root-user", "--mount", "sh", "-c", script, disk, process.execPath, ...pond],
      { cwd: s.dir },
    );
    expect(run.stderr.toString()).toBe(
      `pond: ENOSPC: ${disk}/out/d/big.bin: no space left on device\n`,
    );
    expect(run.status).toBe(1);
    expect(run.stdout.toString()).toBe("left:\n");
  });
});
