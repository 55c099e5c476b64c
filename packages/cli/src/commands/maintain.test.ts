// pond maintain and pond fsck through the built binary.

import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

/** A pond with a few small commits and one large file. */
async function busy(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await s.ok("mkdir", "/data");
  for (let i = 0; i < 5; i++) {
    await writeFile(s.path("r.csv"), `reading ${i}\n`);
    await s.ok("copy", "r.csv", "/data/");
  }
  await writeFile(s.path("big.bin"), Buffer.alloc(100_000, 7));
  await s.ok("copy", "big.bin", "/data/");
  return s;
}

describe("pond maintain", () => {
  it("compacts, reports what it did, and leaves the pond readable at every version", async () => {
    const s = await busy();
    const run = await s.ok("maintain");
    expect(run.out).toMatch(/^compaction: version \d+, \d+ files .* became \d+/m);
    expect(run.out).toMatch(/history retention: forever/);
    expect((await s.ok("cat", "--at", "3", "/data/r.csv")).out).toBe("reading 1\n");
    expect((await s.ok("cat", "/data/r.csv")).out).toBe("reading 4\n");
    expect((await s.ok("fsck")).out).toMatch(/^ok: /);
  });

  it("--json gives the report; --retention is kept as the pond's setting", async () => {
    const s = await busy();
    const report = (await s.ok("maintain", "--retention", "30d", "--json")).json<{
      retention: string;
      compaction: { filesRemoved: number };
    }>();
    expect(report.retention).toBe("30d");
    expect(report.compaction.filesRemoved).toBeGreaterThan(0);
    expect((await s.ok("maintain", "--json")).json<{ retention: string }>().retention).toBe("30d");
  });

  it("a bad retention is EINVAL, exit 1, and changes nothing", async () => {
    const s = await busy();
    const run = await s.pond("maintain", "--retention", "soon");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^pond: EINVAL: .*retention/);
    expect((await s.ok("maintain", "--json")).json<{ retention: string }>().retention).toBe(
      "forever",
    );
  });

  it("without a pond is ENOENT", async () => {
    const s = sandbox();
    const run = await s.pond("maintain");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^pond: ENOENT: /);
  });
});

describe("pond fsck", () => {
  it("names a missing large file with its path and version, and exits 1", async () => {
    const s = await busy();
    expect((await s.ok("fsck")).out).toMatch(/^ok: \d+ versions/);
    const large = join(s.pondDir, "_large_files");
    for (const name of await readdir(large)) await rm(join(large, name));
    const run = await s.pond("fsck");
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/missing-large-file\s+\d+\s+\/data\/big\.bin\s+_large_files\/sha256=/);
    expect(run.err).toMatch(/^pond: CORRUPT: .*1 problem found/);
    const json = (await s.pond("fsck", "--json")).json<{
      problems: Array<{ kind: string; path: string }>;
    }>();
    expect(json.problems).toEqual([
      expect.objectContaining({ kind: "missing-large-file", path: "/data/big.bin" }),
    ]);
  });
});
