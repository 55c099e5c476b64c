// Ponds on each backend a location names by scheme, through the built binary.

import { readdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

describe("pond locations by scheme", () => {
  it("journal:FILE keeps the pond in one journal file, with history and --at", async () => {
    const s = sandbox();
    const pond = (...args: string[]) => s.run(["--pond", "journal:lake.journal", ...args]);
    expect((await pond("init")).out).toBe("created an empty pond in journal:lake.journal\n");
    await writeFile(s.path("a.txt"), "first");
    expect((await pond("copy", "a.txt", "/a.txt")).code).toBe(0);
    await writeFile(s.path("a.txt"), "second");
    expect((await pond("copy", "a.txt", "/a.txt")).code).toBe(0);
    expect((await pond("ls")).out).toBe("a.txt\n");
    expect((await pond("cat", "/a.txt")).out).toBe("second");
    expect((await pond("cat", "--at", "1", "/a.txt")).out).toBe("first");
    const log = (await pond("log", "--json")).json<Array<{ version: number }>>();
    expect(log.map((c) => c.version).sort((a, b) => a - b)).toEqual([0, 1, 2]);
    expect((await pond("init")).err).toBe(
      "pond: EEXIST: journal:lake.journal: a pond already exists here\n",
    );
  });

  it("maintain and fsck are ENOTSUP on a backend without them, and change nothing", async () => {
    const s = sandbox();
    const pond = (...args: string[]) => s.run(["--pond", "journal:lake.journal", ...args]);
    await pond("init");
    for (const command of ["maintain", "fsck"]) {
      const { code, err, out } = await pond(command);
      expect(code).toBe(1);
      expect(out).toBe("");
      expect(err).toBe(
        `pond: ENOTSUP: journal:lake.journal: the journal backend has no ${command}\n`,
      );
    }
    expect((await pond("log", "--json")).json<unknown[]>()).toHaveLength(1);
  });

  it("a journal location that holds no pond is ENOENT; file: and a plain path are the op-log", async () => {
    const s = sandbox();
    const { code, err } = await s.run(["--pond", "journal:none.journal", "ls"]);
    expect(code).toBe(1);
    expect(err).toBe(
      "pond: ENOENT: journal:none.journal: no pond here (create one with: pond init)\n",
    );
    expect((await s.run(["--pond", "file:lake", "init"])).code).toBe(0);
    expect((await s.run(["--pond", "lake", "fsck"])).out).toMatch(/^ok: 1 versions/);
    expect((await s.run(["--pond", `file://${s.path("lake")}`, "ls"])).code).toBe(0);
  });

  it("a URL of a scheme pond has no backend for is ENOTSUP, and nothing is created", async () => {
    const s = sandbox();
    for (const location of ["https://example.com/lake", "gs://bucket/lake"]) {
      const { code, out, err } = await s.run(["--pond", location, "init"]);
      expect(code).toBe(1);
      expect(out).toBe("");
      expect(err).toMatch(new RegExp(`^pond: ENOTSUP: ${location}: pond has no backend for `));
      const env = await s.run(["ls"], { POND: location });
      expect(env.err).toMatch(/^pond: ENOTSUP: /);
    }
    expect(await readdir(s.dir)).toEqual([]);
  });

  it("memory:NAME is a pond of this process only", async () => {
    const s = sandbox();
    expect((await s.run(["--pond", "memory:scratch", "init"])).code).toBe(0);
    const { code, err } = await s.run(["--pond", "memory:scratch", "ls"]);
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: memory:scratch: no pond here (create one with: pond init)\n");
  });
});
