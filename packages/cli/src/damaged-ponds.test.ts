// Ponds someone else wrote: entries crafted with the delta-rs Python package (names that climb
// out, NUL, a directory inside itself), symlink loops and absurd depth. pond reads what it can,
// reports each bad entry on one line, never writes outside its target, and ends.

import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { craftEntries, entryOf } from "./testing/crafted-pond.js";
import { type PondRun, type Sandbox, useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

/** Every line on stderr is one pond error line, with one of `codes`, each said once. */
function expectErrorLines(run: PondRun, codes: readonly string[]): string[] {
  const lines = run.err.split("\n").filter((line) => line !== "");
  expect(lines.length, run.err).toBeGreaterThan(0);
  expect(new Set(lines).size, run.err).toBe(lines.length);
  for (const line of lines) {
    const code = /^pond: ([A-Z]+): /.exec(line)?.[1];
    expect(codes, line).toContain(code);
  }
  return lines;
}

/** A pond with /good.txt, /d/kept.txt and /victim.txt, and `victim.txt` on the host beside it. */
async function pondWithVictim(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("good.txt"), "good\n");
  await writeFile(s.path("evil.txt"), "written by the pond\n");
  await s.ok("mkdir", "/d");
  await s.ok("copy", "good.txt", "/good.txt");
  await s.ok("copy", "good.txt", "/d/kept.txt");
  await s.ok("copy", "evil.txt", "/victim.txt");
  await writeFile(s.path("victim.txt"), "precious\n");
  return s;
}

describe("export of a crafted pond", () => {
  it("never writes outside the target for an entry named to climb out of it", {
    timeout: 120_000,
  }, async () => {
    const s = await pondWithVictim();
    // "/d/../../victim.txt" is /victim.txt in the pond, and out/d/../../victim.txt is the host's.
    const victim = await entryOf(s.pondDir, "/victim.txt", "../../victim.txt");
    await craftEntries(s.pondDir, "/d", [victim]);
    const run = await s.pond("export", "-r", "/", "out");
    expect(await readFile(s.path("victim.txt"), "utf8")).toBe("precious\n");
    expect(run.code).toBe(1);
    expectErrorLines(run, ["CORRUPT"]);
    expect(await readFile(s.path("out", "good.txt"), "utf8")).toBe("good\n");
    expect((await readdir(s.dir)).sort()).toEqual(
      ["evil.txt", "good.txt", "out", "pond", "victim.txt"].sort(),
    );
  });

  it("skips a name holding NUL and exports the rest", { timeout: 120_000 }, async () => {
    const s = await pondWithVictim();
    await craftEntries(s.pondDir, "/d", [await entryOf(s.pondDir, "/good.txt", "bad\0name")]);
    const run = await s.pond("export", "-r", "/", "out");
    expect(run.code).toBe(1);
    expectErrorLines(run, ["CORRUPT", "EINVAL"]);
    expect(await readFile(s.path("out", "good.txt"), "utf8")).toBe("good\n");
    const listing = await s.pond("ls", "-l", "**");
    expect(listing.code).toBe(1);
    expectErrorLines(listing, ["CORRUPT", "EINVAL"]);
    expect(listing.out).toContain("/good.txt");
  });
});

describe("a directory that contains itself", () => {
  async function loopingPond(): Promise<Sandbox> {
    const s = await pondWithVictim();
    await craftEntries(s.pondDir, "/d", [await entryOf(s.pondDir, "/d", "self")]);
    return s;
  }

  it("is reported once by ls '**', which lists the rest and exits 1", {
    timeout: 120_000,
  }, async () => {
    const s = await loopingPond();
    const run = await s.pond("ls", "**");
    expect(run.code).toBe(1);
    expect(expectErrorLines(run, ["CORRUPT"])).toEqual([
      "pond: CORRUPT: /d/self: a directory listed here and at /d (a damaged pond)",
    ]);
    expect(run.out.split("\n")).toEqual(["/d/", "/d/kept.txt", "/good.txt", "/victim.txt", ""]);
  });

  it("does not keep pond show, or export -r, going forever", { timeout: 120_000 }, async () => {
    const s = await loopingPond();
    const show = await s.pond("show");
    expect(show.code).toBe(1);
    expectErrorLines(show, ["CORRUPT"]);
    expect(show.out).toContain("(no changes to paths)");
    const exported = await s.pond("export", "-r", "/", "out");
    expect(exported.code).toBe(1);
    expectErrorLines(exported, ["CORRUPT"]);
    expect(await readFile(s.path("out", "d", "kept.txt"), "utf8")).toBe("good\n");
    expect(existsSync(s.path("out", "d", "self"))).toBe(false);
  });
});

describe("a symlink loop", () => {
  it("is reported and skipped by ls '**' and export -r, which exit 1", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("f.txt"), "f\n");
    await s.ok("mkdir", "-p", "/a/b");
    await s.ok("copy", "f.txt", "/a/b/f.txt");
    await s.ok("ln", "-s", "/a", "/a/b/up");
    const listed = await s.pond("ls", "**");
    expect(listed.code).toBe(1);
    expect(expectErrorLines(listed, ["ELOOP"])).toEqual(["pond: ELOOP: /a/b/up: symlink cycle"]);
    expect(listed.out).toBe("/a/\n/a/b/\n/a/b/f.txt\n/a/b/up\n");
    const exported = await s.pond("export", "-r", "/a", "out");
    expect(exported.code).toBe(1);
    expectErrorLines(exported, ["ELOOP"]);
    expect(await readFile(s.path("out", "b", "f.txt"), "utf8")).toBe("f\n");
  });
});

describe("a pond thousands of directories deep", () => {
  it("is listed with memory that does not grow with the square of the depth", {
    timeout: 300_000,
  }, async () => {
    const s = sandbox();
    await s.ok("init");
    const depth = 3000;
    const deepest = `/${Array.from({ length: depth }, () => "d").join("/")}`;
    await s.ok("mkdir", "-p", deepest);
    // Well below what the walks took when each level copied the levels above it.
    const small = { NODE_OPTIONS: "--max-old-space-size=64" };
    for (const args of [
      ["ls", "**"],
      ["ls", "-l", "**"],
    ]) {
      const run = await s.run(["--pond", s.pondDir, ...args], small);
      expect(run.err, args.join(" ")).toBe("");
      expect(run.code).toBe(0);
      const lines = run.out.trimEnd().split("\n");
      expect(lines.length - (args.includes("-l") ? 1 : 0)).toBe(depth);
      expect(lines.at(-1)).toContain(`${deepest}/`);
    }
  });
});
