// Packs pond as it is published: every public package of the workspace, and the per-platform
// package of the op-log addon for this machine with the binary built here.

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const WORKSPACE = fileURLToPath(new URL("../../..", import.meta.url));
const PACKAGES = join(WORKSPACE, "packages");
const OPLOG = join(PACKAGES, "persistence-oplog");

export interface Tarball {
  name: string;
  file: string;
}

/** Packs every public package into `dest`; the last tarball is this platform's addon package. */
export function packAll(dest: string): Tarball[] {
  const tarballs = readdirSync(PACKAGES).map((dir) => {
    const name = manifestName(join(PACKAGES, dir));
    // What the build made is what is packed: prepack would rebuild dist/ while the other
    // packages' tests read it.
    const file = packInto(
      dest,
      "pnpm",
      ["pack", "--config.ignore-scripts=true"],
      join(PACKAGES, dir),
    );
    return { name, file };
  });
  return [...tarballs, packPlatformPackage(dest)];
}

/**
 * The package napi-rs publishes for this platform (npm/<platform>/, with the binary copied in,
 * as the release does with each platform's build), packed from a copy outside the workspace.
 */
function packPlatformPackage(dest: string): Tarball {
  const binary = readdirSync(join(OPLOG, "native")).find((f) => /^pond-oplog\..+\.node$/.test(f));
  if (!binary) throw new Error("no built addon in packages/persistence-oplog/native/");
  const platform = binary.replace(/^pond-oplog\.|\.node$/g, "");
  const staging = join(mkdtempSync(join(tmpdir(), "pond-platform-")), platform);
  cpSync(join(OPLOG, "npm", platform), staging, { recursive: true });
  cpSync(join(OPLOG, "native", binary), join(staging, binary));
  return { name: manifestName(staging), file: packInto(dest, "npm", ["pack"], staging) };
}

function packInto(dest: string, client: string, args: string[], cwd: string): string {
  const before = new Set(readdirSync(dest));
  execFileSync(client, [...args, "--pack-destination", dest], { cwd, stdio: "ignore" });
  const made = readdirSync(dest).filter((f) => !before.has(f));
  if (made.length !== 1) throw new Error(`packing ${cwd} made ${made.length} tarballs`);
  return join(dest, made[0] as string);
}

function manifestName(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string }).name;
}
