// Copies of ponds on a real S3-compatible server (SeaweedFS, started here): push, clone, pull,
// conditional writes between racing writers, histories that differ, a hostile source, a server
// that goes away, and the delta-rs Python package reading the copy in the bucket.

import { existsSync, mkdtempSync } from "node:fs";
import { mkdir, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type S3Server, TEST_SECRET_KEY } from "@pond/delta-python";
import { type FS, PondError } from "@pond/tinyfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clonePond, copyPond, createOplogFs, fsckOplog, openOplogFs } from "./index.js";
import { failure } from "./test-workers/failure.js";
import { readBucketWithDeltalake, startTestS3Server } from "./test-workers/python.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-remote-"));
let server: S3Server;
let options: { storageOptions: Record<string, string> };
beforeAll(async () => {
  server = await startTestS3Server();
  options = { storageOptions: server.storageOptions };
}, 600_000);
afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
}, 60_000);

let bucketSeq = 0;
const remote = () => `s3://pond-test/p${++bucketSeq}`;
const local = (name: string) => join(scratch, name);
const large = (seed: number) => new Uint8Array(200_000).map((_, i) => (i * seed + 7) & 0xff);
const text = async (fs: FS, path: string) =>
  new TextDecoder().decode(await fs.root().readFile(path));

async function writeVersions(fs: FS, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await fs.root().writeFile(`/${prefix}-${i}.txt`, `${prefix} ${i}`);
}

describe("pond copies on S3", () => {
  it("pushes a pond, clones it back, and copies only new versions afterwards", async () => {
    const url = remote();
    const fs = await createOplogFs(local("origin"));
    await fs.root().createDirPath("/data", { recursive: true });
    await fs.root().writeFile("/data/big.bin", large(3));
    await writeVersions(fs, "a", 3);
    const origin = await fs.history();
    const first = await copyPond(local("origin"), url, options);
    expect(first).toMatchObject({ destinationVersion: null, versions: origin.length });
    expect(first.files).toBeGreaterThan(origin.length);

    const cloned = await clonePond(url, local("clone"), options);
    expect(cloned.versions).toBe(origin.length);
    const clone = await openOplogFs(local("clone"));
    expect(Buffer.from(await clone.root().readFile("/data/big.bin"))).toEqual(
      Buffer.from(large(3)),
    );
    expect(await text(clone, "/a-2.txt")).toBe("a 2");
    expect((await fsckOplog(local("clone"), { orphanGraceMs: 0 })).problems).toEqual([]);
    await clone.close();

    await writeVersions(fs, "b", 2);
    await fs.root().writeFile("/data/big2.bin", large(5));
    expect(await copyPond(local("origin"), url, options)).toMatchObject({ versions: 3 });
    expect(await copyPond(local("origin"), url, options)).toMatchObject({ versions: 0, files: 0 });
    expect(await copyPond(url, local("clone"), options)).toMatchObject({ versions: 3 });
    const pulled = await openOplogFs(local("clone"));
    expect(await text(pulled, "/b-1.txt")).toBe("b 1");
    expect(Buffer.from(await pulled.root().readFile("/data/big2.bin"))).toEqual(
      Buffer.from(large(5)),
    );
    await pulled.close();
    await fs.close();
  }, 300_000);

  it("refuses histories that differ, and lets one of two racing writers win", async () => {
    const url = remote();
    const base = await createOplogFs(local("base"));
    await writeVersions(base, "base", 2);
    await base.close();
    await copyPond(local("base"), url, options);
    await clonePond(url, local("left"), options);
    await clonePond(url, local("right"), options);
    for (const side of ["left", "right"]) {
      const fs = await openOplogFs(local(side));
      await writeVersions(fs, side, 2);
      await fs.close();
    }
    const pushes = await Promise.allSettled([
      copyPond(local("left"), url, options),
      copyPond(local("right"), url, options),
    ]);
    const won = pushes.filter((p) => p.status === "fulfilled");
    const lost = pushes.flatMap((p) => (p.status === "rejected" ? [p.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(PondError.is(lost[0], "CONFLICT")).toBe(true);

    const winner = pushes[0]?.status === "fulfilled" ? "left" : "right";
    const loser = winner === "left" ? "right" : "left";
    const again = await failure(copyPond(local(loser), url, options));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toMatch(/different histories/);
    await clonePond(url, local("after-race"), options);
    const after = await openOplogFs(local("after-race"));
    expect(await text(after, `/${winner}-1.txt`)).toBe(`${winner} 1`);
    expect(await after.root().exists(`/${loser}-0.txt`)).toBe(false);
    await after.close();
  }, 300_000);

  it("is read by the delta-rs Python package in the bucket", async () => {
    const url = remote();
    const fs = await createOplogFs(local("for-python"));
    await writeVersions(fs, "py", 3);
    const versions = (await fs.history()).length;
    await fs.close();
    await copyPond(local("for-python"), url, options);
    const read = readBucketWithDeltalake(url, server);
    expect(read.version).toBe(versions - 1);
    expect(read.rows).toBeGreaterThan(0);
  }, 600_000);

  it("follows no link inside a local source or destination", async () => {
    const source = local("linked");
    const fs = await createOplogFs(source);
    await fs.root().writeFile("/big.bin", large(5));
    await fs.root().writeFile("/small.txt", "small");
    await fs.close();
    // The source's directories replaced by links to copies of them outside the pond.
    for (const dir of [
      "_large_files",
      (await readdir(source)).find((d) => d.startsWith("part_id=")),
    ]) {
      const inside = join(source, dir as string);
      const outside = local(`outside-${dir}`);
      await rename(inside, outside);
      await symlink(outside, inside);
      const error = await failure(copyPond(source, local(`linked-copy-${dir}`)));
      expect(error.code).toBe("CORRUPT");
      expect(error.message).toMatch(/symbolic link inside the pond/);
      await rm(inside);
      await rename(outside, inside);
    }
    // A destination whose log directory is a link is not written through it.
    const destination = local("linked-destination");
    await mkdir(local("elsewhere-log"));
    await mkdir(destination);
    await symlink(local("elsewhere-log"), join(destination, "_delta_log"));
    expect((await failure(copyPond(source, destination))).code).toBe("CORRUPT");
    expect(await readdir(local("elsewhere-log"))).toEqual([]);
  });

  it("refuses a source whose log names files outside it, writing nothing", async () => {
    const hostile = local("hostile");
    await mkdir(join(hostile, "_delta_log"), { recursive: true });
    const add = { add: { path: "../outside.parquet", size: 4, dataChange: true } };
    await writeFile(
      join(hostile, "_delta_log", `${"0".repeat(20)}.json`),
      `${JSON.stringify(add)}\n`,
    );
    await writeFile(join(scratch, "outside.parquet"), "PAR1");
    const url = remote();
    const error = await failure(copyPond(hostile, url, options));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toMatch(/not inside the pond/);
    const local2 = local("hostile-dest");
    expect((await failure(copyPond(hostile, local2))).code).toBe("CORRUPT");
    expect(existsSync(join(local2, "outside.parquet"))).toBe(false);
    expect(await readdir(local2)).toEqual([]);
  }, 120_000);

  it("keeps credentials out of errors, refuses them in URLs and other schemes", async () => {
    const fs = await createOplogFs(local("secret"));
    await writeVersions(fs, "s", 1);
    await fs.close();
    const wrong = { ...server.storageOptions, aws_secret_access_key: "wrong-secret-value-42" };
    const denied = await failure(copyPond(local("secret"), remote(), { storageOptions: wrong }));
    expect(denied.code).toBe("EIO");
    expect(denied.message).toContain("s3://pond-test/");
    expect(denied.message).not.toContain("wrong-secret-value-42");
    expect(denied.message).not.toContain(TEST_SECRET_KEY);
    const inUrl = await failure(copyPond(local("secret"), "s3://key:hunter2@pond-test/x", options));
    expect(inUrl.code).toBe("EINVAL");
    expect(inUrl.message).not.toContain("hunter2");
    expect((await failure(copyPond(local("secret"), "gs://b/x", options))).code).toBe("EINVAL");
    expect((await failure(clonePond(remote(), local("secret"), options))).code).toBe("EEXIST");
  }, 120_000);

  it("takes the store's settings from the AWS_* variables", async () => {
    const fs = await createOplogFs(local("from-env"));
    await writeVersions(fs, "e", 2);
    await fs.close();
    const saved = { ...process.env };
    Object.assign(process.env, server.env);
    try {
      const url = remote();
      expect((await copyPond(local("from-env"), url)).versions).toBe(3);
      expect((await clonePond(url, local("from-env-clone"))).versions).toBe(3);
    } finally {
      for (const key of Object.keys(server.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  }, 120_000);

  it("fails clearly while the server is down, and finishes the copy once it is back", async () => {
    const url = remote();
    const fs = await createOplogFs(local("outage"));
    await writeVersions(fs, "o", 3);
    await fs.close();
    await server.halt();
    try {
      const down = await failure(copyPond(local("outage"), url, options));
      expect(down.code).toBe("EIO");
      expect(down.message).toContain(url);
      expect(down.message).not.toContain(TEST_SECRET_KEY);
    } finally {
      await server.resume();
    }
    const done = await copyPond(local("outage"), url, options);
    expect(done.versions).toBeGreaterThan(0);
    await clonePond(url, local("outage-clone"), options);
    expect((await fsckOplog(local("outage-clone"), { orphanGraceMs: 0 })).problems).toEqual([]);
  }, 300_000);
});
