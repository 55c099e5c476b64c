// pond copy through the built binary: cp destination rules, file types, one transaction, --series.

import { mkdir, writeFile } from "node:fs/promises";
import { Utf8, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const sandbox = useSandbox();

async function setUp(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("a.txt"), "alpha\n");
  await writeFile(s.path("b.txt"), "bravo\n");
  await mkdir(s.path("tree", "sub"), { recursive: true });
  await writeFile(s.path("tree", "top.txt"), "top\n");
  await writeFile(s.path("tree", "sub", "deep.txt"), "deep\n");
  return s;
}

async function versions(s: Sandbox): Promise<number> {
  return (await s.ok("log", "--json")).json<unknown[]>().length;
}

describe("pond copy destinations follow cp", () => {
  it("one source onto a missing name creates that name", async () => {
    const s = await setUp();
    await s.ok("copy", "a.txt", "/renamed.txt");
    expect((await s.ok("cat", "/renamed.txt")).out).toBe("alpha\n");
  });

  it("one source onto an existing directory goes inside it (with or without a trailing /)", async () => {
    const s = await setUp();
    await s.ok("mkdir", "/raw");
    await s.ok("copy", "a.txt", "/raw");
    await s.ok("copy", "b.txt", "/raw/");
    expect((await s.ok("ls", "/raw")).out).toBe("a.txt\nb.txt\n");
  });

  it("several sources go into a directory", async () => {
    const s = await setUp();
    await s.ok("mkdir", "/raw");
    const { out } = await s.ok("copy", "a.txt", "b.txt", "/raw");
    expect(out).toMatch(/^version 2: copied 2 files \(12 B\) to \/raw\n$/);
    expect((await s.ok("ls", "/raw")).out).toBe("a.txt\nb.txt\n");
  });

  it("several sources onto a missing name fail with ENOENT, onto a file with ENOTDIR", async () => {
    const s = await setUp();
    const missing = await s.pond("copy", "a.txt", "b.txt", "/nope");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^pond: ENOENT: \/nope: no such directory/);
    await s.ok("copy", "a.txt", "/file");
    const file = await s.pond("copy", "a.txt", "b.txt", "/file");
    expect(file.code).toBe(1);
    expect(file.err).toMatch(/^pond: ENOTDIR: \/file: not a directory/);
  });

  it("onto an existing file adds a version of it", async () => {
    const s = await setUp();
    await s.ok("copy", "a.txt", "/f.txt");
    await s.ok("copy", "b.txt", "/f.txt");
    const stat = (await s.ok("stat", "--json", "/f.txt")).json<{ versions: unknown[] }>();
    expect(stat.versions).toHaveLength(2);
    expect((await s.ok("cat", "/f.txt")).out).toBe("bravo\n");
    expect((await s.ok("cat", "--version", "1", "/f.txt")).out).toBe("alpha\n");
  });

  it("a host directory needs -r (EISDIR naming the host path)", async () => {
    const s = await setUp();
    const { code, err } = await s.pond("copy", "tree", "/t");
    expect(code).toBe(1);
    expect(err).toBe("pond: EISDIR: tree: is a directory (use -r to copy directories)\n");
  });

  it("-r copies a host tree onto a missing name, or into an existing directory", async () => {
    const s = await setUp();
    await s.ok("copy", "-r", "tree", "/t");
    expect((await s.ok("ls", "/t/**")).out).toBe("/t/sub/\n/t/sub/deep.txt\n/t/top.txt\n");
    await s.ok("mkdir", "/into");
    await s.ok("copy", "-r", "tree", "/into");
    expect((await s.ok("cat", "/into/tree/sub/deep.txt")).out).toBe("deep\n");
  });

  it("-r merges into an existing pond tree: files there get a version, symlinks are followed", async () => {
    const s = await setUp();
    await s.ok("copy", "-r", "tree", "/t");
    await writeFile(s.path("tree", "sub", "new.txt"), "new\n");
    await s.ok("mkdir", "/u");
    await s.ok("ln", "-s", "/t/sub", "/u/sub");
    await s.ok("copy", "-r", "tree/.", "/u");
    expect((await s.ok("cat", "/u/top.txt")).out).toBe("top\n");
    expect((await s.ok("ls", "/t/sub")).out).toBe("deep.txt\nnew.txt\n");
    const stat = (await s.ok("stat", "--json", "/t/sub/deep.txt")).json<{ versions: unknown[] }>();
    expect(stat.versions).toHaveLength(2);
  });

  it("-r onto a pond file where the host tree has a directory is EEXIST, committing nothing", async () => {
    const s = await setUp();
    await s.ok("mkdir", "/t");
    await s.ok("copy", "a.txt", "/t/sub");
    const before = await versions(s);
    const { code, err } = await s.pond("copy", "-r", "tree/.", "/t");
    expect(code).toBe(1);
    expect(err).toBe("pond: EEXIST: /t/sub: exists and is not a directory\n");
    expect(await versions(s)).toBe(before);
    expect((await s.ok("ls", "/t")).out).toBe("sub\n");
  });

  it("a missing host file is ENOENT naming the host path, and nothing is committed", async () => {
    const s = await setUp();
    const before = await versions(s);
    const { code, err } = await s.pond("copy", "a.txt", "missing.txt", "/");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: missing.txt: no such file or directory\n");
    expect(await versions(s)).toBe(before);
    expect((await s.ok("ls")).out).toBe("");
  });

  it("a failure part-way commits none of the files: they are one transaction", async () => {
    const s = await setUp();
    await s.ok("mkdir", "-p", "/d/b.txt");
    const before = await versions(s);
    // a.txt is written first, then b.txt runs into the directory /d/b.txt.
    const { code, err } = await s.pond("copy", "a.txt", "b.txt", "/d");
    expect(code).toBe(1);
    expect(err).toBe("pond: EISDIR: /d/b.txt: is a directory\n");
    expect(await versions(s)).toBe(before);
    expect((await s.ok("ls", "/d")).out).toBe("b.txt/\n");
  });
});

describe("pond copy types and history", () => {
  it("makes .parquet files file:table and others file:data", async () => {
    const s = await setUp();
    await writeFile(s.path("t.parquet"), await seriesChunk(0, 10, 1000));
    await s.ok("copy", "t.parquet", "a.txt", "/");
    const entries = (await s.ok("ls", "--json")).json<Array<{ name: string; type: string }>>();
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ["a.txt", "file:data"],
      ["t.parquet", "file:table"],
    ]);
  });

  it("records the command line as the message and argv and cwd as metadata", async () => {
    const s = await setUp();
    await s.ok("copy", "a.txt", "/x y.txt");
    const log = (await s.ok("log", "--json")).json<
      Array<{ message: string; meta: Record<string, string> }>
    >();
    const last = log[log.length - 1];
    expect(last?.message).toBe(`pond --pond ${s.pondDir} copy a.txt '/x y.txt'`);
    expect(JSON.parse(last?.meta.argv as string)).toEqual([
      "--pond",
      s.pondDir,
      "copy",
      "a.txt",
      "/x y.txt",
    ]);
    expect(last?.meta.cwd).toBe(s.dir);
  });

  it("--json reports the version, the files and their bytes", async () => {
    const s = await setUp();
    const result = (await s.ok("copy", "--json", "a.txt", "b.txt", "/")).json();
    expect(result).toEqual({
      version: 1,
      message: `pond --pond ${s.pondDir} copy --json a.txt b.txt /`,
      files: ["/a.txt", "/b.txt"],
      bytes: 12,
    });
  });

  it("prints nothing on stderr when stderr is not a terminal", async () => {
    const s = await setUp();
    await writeFile(s.path("big.bin"), new Uint8Array(4 * 2 ** 20));
    const { err } = await s.ok("copy", "big.bin", "/");
    expect(err).toBe("");
  });
});

describe("pond copy --series", () => {
  it("appends each file as a version of a file:series, recording its event-time range", async () => {
    const s = await setUp();
    const day = 86_400_000;
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 24, 3_600_000));
    await writeFile(s.path("d2.parquet"), await seriesChunk(day, 24, 3_600_000));
    await s.ok("mkdir", "/sensors");
    await s.ok("copy", "--series", "d1.parquet", "/sensors/temp");
    await s.ok("copy", "--series", "d2.parquet", "/sensors/temp");
    const stat = (await s.ok("stat", "--json", "/sensors/temp")).json<{
      type: string;
      versions: Array<{ minEventTime: number; maxEventTime: number; pondVersion: number }>;
    }>();
    expect(stat.type).toBe("file:series");
    expect(stat.versions.map((v) => [v.minEventTime, v.maxEventTime])).toEqual([
      [0, 23 * 3_600_000],
      [day, day + 23 * 3_600_000],
    ]);
  });

  it("appends several files to one series in one transaction, in order", async () => {
    const s = await setUp();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 5, 1000));
    await writeFile(s.path("d2.parquet"), await seriesChunk(5000, 5, 1000));
    const { out } = await s.ok("copy", "--series", "d1.parquet", "d2.parquet", "/temp");
    expect(out).toMatch(/^version 1: copied 2 files/);
    const stat = (await s.ok("stat", "--json", "/temp")).json<{ versions: unknown[] }>();
    expect(stat.versions).toHaveLength(2);
  });

  it("fails on a file that is not Parquet and commits none of the chunks", async () => {
    const s = await setUp();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 5, 1000));
    const before = await versions(s);
    const { code, err } = await s.pond("copy", "--series", "d1.parquet", "a.txt", "/temp");
    expect(code).toBe(1);
    expect(err).toMatch(/^pond: EINVAL: \/temp: not a Parquet file/);
    expect(await versions(s)).toBe(before);
  });

  it("refuses a chunk whose column has another type than in the series (EINVAL naming it)", async () => {
    const s = await setUp();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 5, 1000));
    const words = vectorFromArray(["a", "b", "c", "d", "e"], new Utf8());
    await writeFile(s.path("d2.parquet"), await seriesChunk(5000, 5, 1000, { value: words }));
    await s.ok("copy", "--series", "d1.parquet", "/temp");
    const { code, err } = await s.pond("copy", "--series", "d2.parquet", "/temp");
    expect(code).toBe(1);
    expect(err).toBe(
      'pond: EINVAL: /temp: column "value" is utf8 in this chunk but float64 in the series\n',
    );
    expect((await s.ok("stat", "--json", "/temp")).json<{ version: number }>().version).toBe(1);
  });

  it("refuses to add a version to a series without --series", async () => {
    const s = await setUp();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 5, 1000));
    await s.ok("copy", "--series", "d1.parquet", "/temp");
    const { code, err } = await s.pond("copy", "d1.parquet", "/temp");
    expect(code).toBe(1);
    expect(err).toBe("pond: EINVAL: /temp: is a file:series: add versions with --series\n");
  });
});
