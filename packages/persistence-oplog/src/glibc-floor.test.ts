// The Linux (glibc) binary runs on glibc 2.28 and newer: it needs no newer GLIBC_ symbol version.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../scripts/check-glibc.mjs", import.meta.url));
const BINARY = fileURLToPath(
  new URL(`../native/pond-oplog.linux-${process.arch}-gnu.node`, import.meta.url),
);

it.runIf(existsSync(BINARY))("the linux gnu binary needs glibc 2.28 at most", () => {
  const out = execFileSync(process.execPath, [SCRIPT, BINARY, "--max", "2.28"], {
    encoding: "utf8",
  });
  expect(out).toMatch(/runs on glibc 2\.\d+ or newer/);
});
