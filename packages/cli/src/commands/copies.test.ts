// pond clone, push and pull through the built binary, between directories (the op-log tests
// run the same copies against an S3 server).

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useSandbox } from "../testing/run-pond.js";

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

  it("refuses copies whose histories differ, a non-empty clone target and unknown schemes", async () => {
    const s = sandbox();
    await s.ok("init");
    await s.run(["clone", s.pondDir, "other"]);
    await s.run(["--pond", "other", "mkdir", "/theirs"]);
    await s.ok("mkdir", "/ours");
    const diverged = await s.pond("push", "other");
    expect(diverged.code).toBe(1);
    expect(diverged.err).toMatch(/^pond: CONFLICT: .*different histories/);
    expect((await s.run(["--pond", "other", "ls", "/"])).out).not.toMatch(/ours/);
    const taken = await s.run(["clone", s.pondDir, "other"]);
    expect(taken.err).toMatch(/^pond: EEXIST: /);
    const scheme = await s.pond("push", "gs://bucket/p");
    expect(scheme.err).toMatch(/^pond: EINVAL: gs:\/\/ is not a place/);
    const keys = await s.pond("push", "s3://KEY:SECRET@bucket/p");
    expect(keys.err).toMatch(/^pond: EINVAL: /);
    expect(keys.err).not.toMatch(/SECRET/);
  });
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
      /^pushed 3 versions .*copies\/one is at version 2/,
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
    expect((await s.ok("log")).out).not.toMatch(/SECRET/);
  });
});
