// pond export through the built binary: a byte-exact round trip, cp rules, all-or-nothing writes,
// and host symlinks it never writes through.

import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readParquet } from "@pond/derived";
import { Float64, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const sandbox = useSandbox();

/** Reproducible bytes, every value from 0 to 255 included. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const KIB64 = 64 * 1024;
const TREE: Record<string, Uint8Array> = {
  "not-utf8.bin": Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
  "empty.dat": new Uint8Array(0),
  "sizes/64k-minus-1.bin": bytes(KIB64 - 1, 1),
  "sizes/64k.bin": bytes(KIB64, 2),
  "sizes/64k-plus-1.bin": bytes(KIB64 + 1, 3),
  "sizes/nested/10mib.bin": bytes(10 * 2 ** 20, 4),
  "text/ünïcødé name.txt": new TextEncoder().encode("héllo wörld\n"),
};

async function writeTree(root: string): Promise<void> {
  for (const [path, content] of Object.entries(TREE)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function listFiles(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else out.push(path);
  }
  return out.sort();
}

async function initialised(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  return s;
}

describe("copy and export round trip", () => {
  it("gives back every byte of a tree of binary files", async () => {
    const s = await initialised();
    await writeTree(s.path("src"));
    await s.ok("copy", "-r", "src", "/data");
    const { out, err } = await s.ok("export", "-r", "/data", "back");
    expect(err).toBe("");
    expect(out).toMatch(/^exported 7 files \(10\.2 MiB\) to back\n$/);
    expect(await listFiles(s.path("back"))).toEqual(Object.keys(TREE).sort());
    for (const [path, content] of Object.entries(TREE)) {
      const copied = await readFile(s.path("back", path));
      expect(Buffer.compare(copied, Buffer.from(content)), path).toBe(0);
    }
    // cat gives the same bytes too.
    for (const path of ["not-utf8.bin", "sizes/64k-plus-1.bin"]) {
      const { stdout } = await s.ok("cat", `/data/${path}`);
      expect(Buffer.compare(stdout, Buffer.from(TREE[path] as Uint8Array)), path).toBe(0);
    }
    const sizes = (await s.ok("ls", "--json", "/data/sizes/*")).json<
      Array<{ name: string; size?: number }>
    >();
    expect(sizes.map((e) => [e.name, e.size])).toEqual([
      ["64k-minus-1.bin", KIB64 - 1],
      ["64k-plus-1.bin", KIB64 + 1],
      ["64k.bin", KIB64],
      ["nested", undefined],
    ]);
  });
});

describe("pond export destinations follow cp", () => {
  async function withFiles(): Promise<Sandbox> {
    const s = await initialised();
    await writeFile(s.path("a.txt"), "alpha\n");
    await writeFile(s.path("b.txt"), "bravo\n");
    await s.ok("copy", "a.txt", "b.txt", "/");
    await s.ok("mkdir", "/dir");
    await s.ok("copy", "a.txt", "/dir/inner.txt");
    return s;
  }

  it("one file onto a missing name creates it; into an existing directory goes inside", async () => {
    const s = await withFiles();
    await s.ok("export", "/a.txt", "copy.txt");
    expect(await readFile(s.path("copy.txt"), "utf8")).toBe("alpha\n");
    await mkdir(s.path("out"));
    await s.ok("export", "/a.txt", "/b.txt", "out");
    expect(await listFiles(s.path("out"))).toEqual(["a.txt", "b.txt"]);
  });

  it("several sources onto a missing name fail with ENOENT naming the host path", async () => {
    const s = await withFiles();
    const { code, err } = await s.pond("export", "/a.txt", "/b.txt", "nowhere");
    expect(code).toBe(1);
    expect(err).toMatch(/^pond: ENOENT: nowhere: no such directory/);
    expect(existsSync(s.path("nowhere"))).toBe(false);
  });

  it("a pond directory needs -r", async () => {
    const s = await withFiles();
    const { code, err } = await s.pond("export", "/dir", "out");
    expect(code).toBe(1);
    expect(err).toBe("pond: EISDIR: /dir: is a directory (use -r to export directories)\n");
  });

  it("a missing pond path is ENOENT", async () => {
    const s = await withFiles();
    const { code, err } = await s.pond("export", "/nope.txt", "out.txt");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: /nope.txt: no such file or directory\n");
  });

  it("writes nothing when any file fails", async () => {
    const s = await withFiles();
    await mkdir(s.path("out", "b.txt"), { recursive: true });
    const { code, err } = await s.pond("export", "/a.txt", "/b.txt", "out");
    expect(code).toBe(1);
    expect(err).toBe("pond: EISDIR: out/b.txt: is a directory\n");
    expect(await readdir(s.path("out"))).toEqual(["b.txt"]);
    expect(await readdir(s.path("out", "b.txt"))).toEqual([]);
  });

  it("--at exports the files as of an earlier version", async () => {
    const s = await withFiles();
    await writeFile(s.path("a.txt"), "changed\n");
    await s.ok("copy", "a.txt", "/a.txt");
    await s.ok("export", "--at", "1", "/a.txt", "old.txt");
    await s.ok("export", "/a.txt", "new.txt");
    expect(await readFile(s.path("old.txt"), "utf8")).toBe("alpha\n");
    expect(await readFile(s.path("new.txt"), "utf8")).toBe("changed\n");
  });

  it("writes a file:series as one Parquet file with every version's rows", async () => {
    const s = await initialised();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 10, 1000));
    await writeFile(s.path("d2.parquet"), await seriesChunk(10_000, 15, 1000));
    await s.ok("copy", "--series", "d1.parquet", "d2.parquet", "/series");
    const { out } = await s.ok("export", "--json", "/series", "all.parquet");
    expect(out).toContain('"all.parquet"');
    const table = await readParquet(await readFile(s.path("all.parquet")));
    expect(table.numRows).toBe(25);
  });

  it("writes a series whose versions added a column as the union of the columns", async () => {
    const s = await initialised();
    await writeFile(s.path("d1.parquet"), await seriesChunk(0, 2, 1000));
    const humidity = vectorFromArray([0.5, 0.25], new Float64());
    await writeFile(s.path("d2.parquet"), await seriesChunk(2000, 2, 1000, { humidity }));
    await s.ok("copy", "--series", "d1.parquet", "d2.parquet", "/series");
    await s.ok("export", "/series", "all.parquet");
    const table = await readParquet(await readFile(s.path("all.parquet")));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["timestamp", "value", "humidity"]);
    expect([...(table.getChild("humidity") ?? [])]).toEqual([null, null, 0.5, 0.25]);
    expect(await s.pond("downsample", "/series", "--resolution", "1s")).toMatchObject({ code: 0 });
  });
});

describe("pond export and host symlinks", () => {
  async function pondWithFile(): Promise<Sandbox> {
    const s = await initialised();
    await writeFile(s.path("f.txt"), "from the pond\n");
    await s.ok("mkdir", "/d");
    await s.ok("copy", "f.txt", "/d/f.txt");
    await mkdir(s.path("elsewhere"));
    await writeFile(s.path("elsewhere", "f.txt"), "precious\n");
    return s;
  }

  it("does not write through a symlink inside the target", async () => {
    const s = await pondWithFile();
    await mkdir(s.path("out"));
    await symlink(s.path("elsewhere"), s.path("out", "d"));
    const run = await s.pond("export", "-r", "/", "out");
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      "pond: ELOOP: out/d: is a symbolic link: pond does not write through links inside an export target\n",
    );
    expect(await readFile(s.path("elsewhere", "f.txt"), "utf8")).toBe("precious\n");
    expect(await readdir(s.path("elsewhere"))).toEqual(["f.txt"]);
  });

  it("replaces a symlink in the place of a file rather than writing where it points", async () => {
    const s = await pondWithFile();
    await mkdir(s.path("out"));
    await symlink(s.path("elsewhere", "f.txt"), s.path("out", "f.txt"));
    await s.ok("export", "/d/f.txt", "out");
    expect(await readFile(s.path("elsewhere", "f.txt"), "utf8")).toBe("precious\n");
    expect((await lstat(s.path("out", "f.txt"))).isSymbolicLink()).toBe(false);
    expect(await readFile(s.path("out", "f.txt"), "utf8")).toBe("from the pond\n");
  });

  it("follows the destination the user named when it is a link to a directory", async () => {
    const s = await pondWithFile();
    await symlink(s.path("elsewhere"), s.path("link"));
    await s.ok("export", "-r", "/d", "link");
    expect(await readFile(s.path("elsewhere", "d", "f.txt"), "utf8")).toBe("from the pond\n");
  });
});
