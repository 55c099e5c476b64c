// pond log through the built binary: every version with its command line and counts.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

interface Commit {
  version: number;
  timestamp: string;
  message: string | null;
  rows: number | null;
  partitions: number | null;
  meta: Record<string, string>;
}

async function history(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("a.txt"), "a\n");
  await s.ok("mkdir", "/raw");
  await s.ok("copy", "a.txt", "/raw/");
  return s;
}

describe("pond log", () => {
  it("lists every version: number, time, counts and the command line", async () => {
    const s = await history();
    const lines = (await s.ok("log")).out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+TIME \(UTC\)\s+ROWS\s+PARTS\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^\s+0\s+\S+ \S+\s+-\s+-\s+create pond$/);
    expect(lines[2]).toMatch(/^\s+1\s+\S+ \S+\s+2\s+2\s+pond --pond \S+ mkdir \/raw$/);
    expect(lines[3]).toMatch(/^\s+2\s+\S+ \S+\s+2\s+1\s+pond --pond \S+ copy a\.txt \/raw\/$/);
    expect(lines).toHaveLength(4);
  });

  it("-n N shows the newest N", async () => {
    const s = await history();
    const lines = (await s.ok("log", "-n", "1")).out.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\s+2\s/);
  });

  it("--json gives each commit with its metadata", async () => {
    const s = await history();
    const log = (await s.ok("log", "--json")).json<Commit[]>();
    expect(log.map((c) => c.version)).toEqual([0, 1, 2]);
    expect(log[0]).toMatchObject({ message: "create pond", meta: {} });
    expect(log[2]).toMatchObject({
      message: `pond --pond ${s.pondDir} copy a.txt /raw/`,
      rows: 2,
      partitions: 1,
      meta: { argv: JSON.stringify(["--pond", s.pondDir, "copy", "a.txt", "/raw/"]), cwd: s.dir },
    });
    expect(Date.parse(log[2]?.timestamp as string)).toBeGreaterThanOrEqual(
      Date.parse(log[1]?.timestamp as string),
    );
  });

  it("fails with ENOENT without a pond", async () => {
    const { code } = await sandbox().pond("log");
    expect(code).toBe(1);
  });
});
