// pond ls and pond stat through the built binary: listings, patterns, --json and --at.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

/** /docs/a.md, /docs/b.csv, /data/x.csv, /link -> /docs/a.md (versions 1 to 3). */
async function tree(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("a.md"), "# a\n");
  await writeFile(s.path("b.csv"), "b\n");
  await s.ok("mkdir", "/docs", "/data");
  await s.ok("copy", "a.md", "b.csv", "/docs");
  await s.ok("copy", "b.csv", "/data/x.csv");
  await s.ok("ln", "-s", "/docs/a.md", "/link");
  return s;
}

interface Listed {
  path: string;
  name: string;
  type: string;
  nodeId: string;
  size?: number;
  entries?: number;
  version: number;
  timestamp: string;
  target?: string;
}

describe("pond ls", () => {
  it("lists the root without a pattern, directories with a trailing /", async () => {
    const s = await tree();
    expect((await s.ok("ls")).out).toBe("data/\ndocs/\nlink\n");
  });

  it("lists a directory's entries, and a file as itself", async () => {
    const s = await tree();
    expect((await s.ok("ls", "/docs")).out).toBe("a.md\nb.csv\n");
    expect((await s.ok("ls", "/docs/a.md")).out).toBe("/docs/a.md\n");
  });

  it("lists the matches of * and ** patterns", async () => {
    const s = await tree();
    expect((await s.ok("ls", "/*/*.csv")).out).toBe("/data/x.csv\n/docs/b.csv\n");
    expect((await s.ok("ls", "**")).out).toBe(
      "/data/\n/data/x.csv\n/docs/\n/docs/a.md\n/docs/b.csv\n/link\n",
    );
    expect((await s.ok("ls", "/nothing*")).out).toBe("");
  });

  it("-l shows type, size, version, time and node id in aligned columns", async () => {
    const s = await tree();
    const lines = (await s.ok("ls", "-l")).out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TYPE\s+SIZE\s+VER\s+TIME \(UTC\)\s+NODE\s+PATH$/);
    expect(lines[1]).toMatch(
      /^directory\s+-\s+2\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+[0-9a-f-]{36}\s+data\/$/,
    );
    expect(lines[3]).toMatch(/^symlink\s+10\s+1\s+.*\s+link -> \/docs\/a\.md$/);
    const nodeColumn = lines.map((l) =>
      l.includes("NODE") ? l.indexOf("NODE") : l.search(/[0-9a-f]{8}-/),
    );
    expect(new Set(nodeColumn).size).toBe(1);
  });

  it("--json gives path, name, type, node id, size, version and time", async () => {
    const s = await tree();
    const entries = (await s.ok("ls", "--json", "/docs")).json<Listed[]>();
    expect(entries.map((e) => [e.path, e.name, e.type, e.size, e.version])).toEqual([
      ["/docs/a.md", "a.md", "file:data", 4, 1],
      ["/docs/b.csv", "b.csv", "file:data", 2, 1],
    ]);
    expect(entries[0]?.nodeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(Number.isNaN(Date.parse(entries[0]?.timestamp as string))).toBe(false);
    const link = (await s.ok("ls", "--json", "/link")).json<Listed[]>();
    expect(link[0]).toMatchObject({ type: "symlink", target: "/docs/a.md" });
  });

  it("--at lists the pond as of an earlier version", async () => {
    const s = await tree();
    expect((await s.ok("ls", "--at", "1")).out).toBe("data/\ndocs/\n");
    expect((await s.ok("ls", "--at", "0")).out).toBe("");
  });

  it("fails with ENOENT for a missing path", async () => {
    const s = await tree();
    const { code, err } = await s.pond("ls", "/nope");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: /nope: no such file or directory\n");
  });
});

describe("pond stat", () => {
  it("shows metadata and every version of a file", async () => {
    const s = await tree();
    await writeFile(s.path("a.md"), "# a, again\n");
    await s.ok("copy", "a.md", "/docs/a.md");
    const { out } = await s.ok("stat", "/docs/a.md");
    expect(out).toMatch(/^path\s+\/docs\/a\.md$/m);
    expect(out).toMatch(/^type\s+file:data$/m);
    expect(out).toMatch(/^version\s+2$/m);
    expect(out).toMatch(/^pond version\s+5$/m);
    expect(out).toMatch(/^\s+1\s+2\s+\S+ \S+\s+4\s+[0-9a-f]{12}$/m);
    const json = (await s.ok("stat", "--json", "/docs/a.md")).json<{
      versions: Array<{ version: number; pondVersion: number; size: number }>;
    }>();
    expect(json.versions.map((v) => [v.version, v.pondVersion, v.size])).toEqual([
      [1, 2, 4],
      [2, 5, 11],
    ]);
  });

  it("describes a symlink itself, with its target", async () => {
    const s = await tree();
    const json = (await s.ok("stat", "--json", "/link")).json<{ type: string; target: string }>();
    expect(json).toMatchObject({ type: "symlink", target: "/docs/a.md" });
  });

  it("fails with ENOENT for a missing path", async () => {
    const s = await tree();
    const { code, err } = await s.pond("stat", "/nope");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: /nope: no such file or directory\n");
  });
});

describe("pond ls of symlinks", () => {
  it("lists a symlink to a directory as the directory's entries, a dangling one as itself", async () => {
    const s = await tree();
    await s.ok("ln", "-s", "/docs", "/docs-link");
    await s.ok("ln", "-s", "/gone", "/dangling");
    expect((await s.ok("ls", "/docs-link")).out).toBe("a.md\nb.csv\n");
    expect((await s.ok("ls", "-l", "/dangling")).out).toMatch(/dangling -> \/gone\n$/);
  });
});
