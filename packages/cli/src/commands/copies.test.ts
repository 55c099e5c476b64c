// pond clone, push and pull through the built binary, between directories (the op-log tests
// run the same copies against an S3 server).

import { mkdir, writeFile } from "node:fs/promises";
import { createOplogFs } from "@pond/persistence-oplog";
import { describe, expect, it } from "vitest";
import { spawnPond, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

describe("pond clone, push and pull", () => {
  it("clones a pond, then pushes and pulls only the new versions", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.ok("mkdir", "/data");
    await writeFile(s.path("big.bin"), Buffer.alloc(100_000, 9));
    await s.ok("copy", "big.bin", "/data/");
    expect((await s.run(["clone", s.pondDir, "copy"])).out).toMatch(
      /^cloned 3 versions \(\d+ files, .*\): .*copy is at version 2\n$/,
    );
    expect((await s.run(["--pond", "copy", "cat", "/data/big.bin"])).stdout.length).toBe(100_000);

    await writeFile(s.path("r.csv"), "reading\n");
    await s.ok("copy", "r.csv", "/data/");
    expect((await s.ok("push", "copy")).out).toMatch(/^pushed 1 version .*version 3\n$/);
    expect((await s.ok("push", "copy")).out).toMatch(/is up to date at version 3/);
    await s.run(["--pond", "copy", "mkdir", "/more"]);
    expect((await s.ok("pull", "copy")).out).toMatch(/^pulled 1 version/);
    expect((await s.ok("ls", "/")).out).toMatch(/more/);
    expect((await s.ok("fsck")).out).toMatch(/^ok: /);
  });

  it("refuses copies whose histories differ and unknown schemes", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.run(["clone", s.pondDir, "other"]);
    await s.run(["--pond", "other", "mkdir", "/theirs"]);
    await s.ok("mkdir", "/ours");
    const diverged = await s.pond("push", "other");
    expect(diverged.code).toBe(1);
    expect(diverged.err).toMatch(/^pond: CONFLICT: .*different histories/);
    expect((await s.run(["--pond", "other", "ls", "/"])).out).not.toMatch(/ours/);
    // Cloning again into a clone of the same pond finishes it, or here, finds it diverged.
    const again = await s.run(["clone", s.pondDir, "other"]);
    expect(again.err).toMatch(/^pond: CONFLICT: .*different histories/);
    const scheme = await s.pond("push", "gs://bucket/p");
    expect(scheme.err).toMatch(/^pond: EINVAL: gs:\/\/ is not a place/);
    const keys = await s.pond("push", "s3://KEY:SECRET@bucket/p");
    expect(keys.err).toMatch(/^pond: EINVAL: /);
    expect(keys.err).not.toMatch(/SECRET/);
  });

  it("a push or a clone killed at any moment is finished by running it again", async () => {
    const s = sandbox();
    const fs = await createOplogFs(s.pondDir);
    for (let i = 0; i < 40; i++) {
      const bytes = new Uint8Array(i % 4 === 0 ? 300_000 : 2_000).map((_, k) => (k * i + 1) & 255);
      await fs.root().writeFile(`/f${i % 7}.bin`, bytes);
    }
    await fs.close();
    const want = (await s.ok("log", "--json")).json();
    for (const [args, copy] of [
      [["push", "pushed"], "pushed"],
      [["clone", s.pondDir, "cloned"], "cloned"],
    ] as const) {
      for (let kill = 0; kill < 8; kill++) {
        const child = spawnPond(["--pond", s.pondDir, ...args], { cwd: s.dir });
        const closed = new Promise((resolve) => child.on("close", resolve));
        await new Promise((resolve) => setTimeout(resolve, 150 + kill * 60 * Math.random()));
        child.kill("SIGKILL");
        await closed;
      }
      await s.ok(...args);
      const copied = await s.run(["--pond", copy, "log", "--json"]);
      expect(copied.json()).toEqual(want);
      expect((await s.run(["--pond", copy, "fsck"])).out).toMatch(/^ok: /);
    }
  }, 120_000);
});

describe("pond remote", () => {
  it("names copies in the pond, for push and pull, and refuses credentials", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.ok("remote", "add", "backup", "copies/one");
    await s.ok("remote", "add", "bucket", "s3://ponds/weather");
    expect((await s.ok("remote", "list")).out).toBe(
      `backup\t${s.path("copies/one")}\nbucket\ts3://ponds/weather\n`,
    );
    expect((await s.ok("push", "backup")).out).toMatch(
      /^pushed 1 version .*copies\/one is at version 0/,
    );
    await s.ok("mkdir", "/later");
    expect((await s.ok("push", "backup")).out).toMatch(/^pushed 1 version/);
    expect((await s.ok("pull", "backup")).out).toMatch(/is ahead|up to date/);
    await s.ok("remote", "remove", "bucket");
    expect((await s.ok("remote", "list", "--json")).json()).toEqual({
      backup: s.path("copies/one"),
    });

    const keys = await s.pond("remote", "add", "x", "s3://AKIA:SECRET@ponds/x");
    expect(keys.err).toMatch(/^pond: EINVAL: /);
    expect(keys.err).not.toMatch(/SECRET/);
    expect((await s.pond("remote", "remove", "nothing")).err).toMatch(/^pond: ENOENT: /);
    expect((await s.pond("remote", "add", "../x", "copy")).err).toMatch(/^pond: EINVAL: /);
    expect((await s.pond("remote", "frob")).code).not.toBe(0);
    expect((await s.ok("log")).out).not.toMatch(/SECRET|remote/);
  });

  it("are outside the pond's history: a clone names its source origin and pulls after naming others", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.ok("mkdir", "/a");
    await s.ok("clone", s.pondDir, "mine");
    const mine = async (...args: string[]) => {
      const run = await s.run(["--pond", "mine", ...args]);
      expect(run.err).toBe("");
      return run;
    };
    expect((await mine("remote", "list", "--json")).json()).toEqual({ origin: s.pondDir });
    await mine("remote", "add", "backup", "elsewhere");
    await mine("remote", "remove", "backup");
    await s.ok("mkdir", "/b");
    expect((await mine("pull")).out).toMatch(/^pulled 1 version .*version 2\n$/);
    await mine("mkdir", "/c");
    expect((await mine("push")).out).toMatch(/^pushed 1 version/);
    expect((await s.ok("ls", "/")).out).toMatch(/c/);
    expect((await mine("log")).out).not.toMatch(/remote/);
    const none = await s.pond("push");
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no remote named origin/);
  });

  it("finish a clone cut short, and refuse a directory cloned from elsewhere", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.ok("mkdir", "/a");
    // What a clone writes before its first copy, as an interrupted one leaves it.
    await mkdir(s.path("cut"));
    await writeFile(s.path("cut/_pond_remotes.json"), JSON.stringify({ origin: s.pondDir }));
    expect((await s.ok("clone", s.pondDir, "cut")).out).toMatch(/^cloned 2 versions/);
    expect((await s.ok("clone", s.pondDir, "cut")).out).toMatch(/up to date at version 1/);
    await mkdir(s.path("other"));
    await writeFile(s.path("other/_pond_remotes.json"), JSON.stringify({ origin: "/x" }));
    expect((await s.pond("clone", s.pondDir, "other")).err).toMatch(/^pond: EEXIST: /);
    await writeFile(s.path("cut/_pond_remotes.json"), "{ not json");
    expect((await s.pond("--pond", "cut", "remote", "list")).err).toMatch(
      /^pond: CORRUPT: .*_pond_remotes.json is not a list of remotes/,
    );
  });
});
