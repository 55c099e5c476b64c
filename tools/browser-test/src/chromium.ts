// Debian's Chromium for tests: found, installed with apt-get when missing, and launched
// through playwright-core (which never downloads a browser of its own here).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * What the tests add to playwright-core's own Chromium flags, which already hold the rest
 * of what a closed network wants (--headless, --no-sandbox, --no-first-run,
 * --disable-background-networking, --disable-component-update, --disable-sync) and a
 * fresh --user-data-dir per launch.
 */
const EXTRA_FLAGS = ["--disable-gpu", "--disable-quic"];

/** Chromium's path, or why there is none: what a test file skips with. */
export type ChromiumStatus = { path: string } | { missing: string };

let status: ChromiumStatus | undefined;

/**
 * Finds Chromium, installing Debian's package when it is missing and apt-get
 * can (as root). Only where apt-get is unavailable does it give up, and says so
 * loudly on stderr, since the browser tests are then skipped.
 */
export function ensureChromium(): ChromiumStatus {
  status ??= findOrInstall();
  return status;
}

function findOrInstall(): ChromiumStatus {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" });
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (apt.status !== 0 || !isRoot) {
    const missing = `${CHROMIUM_PATH} is missing and apt-get ${apt.status === 0 ? "needs root" : "is unavailable"} to install Debian's chromium`;
    process.stderr.write(
      `\n${"!".repeat(78)}\n!! BROWSER TESTS SKIPPED: ${missing}\n${"!".repeat(78)}\n\n`,
    );
    return { missing };
  }
  process.stderr.write("browser tests: installing Debian's chromium with apt-get...\n");
  // Test files run in parallel: one installs while the others wait on the lock, then find it.
  const install = `test -x ${CHROMIUM_PATH} || { apt-get update && apt-get install -y chromium; }`;
  execFileSync("flock", ["/tmp/pond-chromium-install.lock", "sh", "-c", install], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { path: CHROMIUM_PATH };
}

/** Chromium, headless, with a fresh profile. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({ executablePath: path, args: EXTRA_FLAGS, headless: true });
}
