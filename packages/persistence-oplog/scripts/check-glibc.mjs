// Lists the GLIBC_ symbol versions a Linux (glibc) build of the addon needs, and fails when one is
// newer than the oldest glibc pond supports (2.28: RHEL 8, Debian 10, Ubuntu 20.04).
//   node scripts/check-glibc.mjs [FILE.node] [--max 2.28]
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const maxAt = args.indexOf("--max");
const max = maxAt === -1 ? "2.28" : args.splice(maxAt, 2)[1];
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const file = args[0] ?? join(packageDir, "native", `pond-oplog.linux-${linuxArch()}-gnu.node`);

// objdump -T prints one dynamic symbol a line, its version in parentheses: "(GLIBC_2.14) memcpy".
const symbols = execFileSync("objdump", ["-T", file], { encoding: "utf8", maxBuffer: 64 << 20 });
const needs = new Map();
for (const match of symbols.matchAll(/\(?GLIBC_(\d+(?:\.\d+)+)\)?\s+(\S+)/g)) {
  const [, version, symbol] = match;
  needs.set(version, [...(needs.get(version) ?? []), symbol]);
}
if (needs.size === 0) {
  console.error(`${file}: no GLIBC_ symbol versions found (not a glibc build?)`);
  process.exit(1);
}

const versions = [...needs.keys()].sort(compareVersions);
for (const version of versions) {
  const list = needs.get(version);
  const shown = list.length > 4 ? `${list.slice(0, 4).join(" ")} …` : list.join(" ");
  console.log(`GLIBC_${version.padEnd(7)} ${String(list.length).padStart(4)} symbols  ${shown}`);
}
const newest = versions.at(-1);
if (compareVersions(newest, max) > 0) {
  console.error(`${file} needs glibc ${newest}, newer than ${max}`);
  process.exit(1);
}
console.log(`${file} runs on glibc ${newest} or newer (at most ${max} allowed)`);

function compareVersions(a, b) {
  const [pa, pb] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function linuxArch() {
  return process.arch === "arm64" ? "arm64" : "x64";
}
