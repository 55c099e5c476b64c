// Ponds whose table lives in a bucket of a real S3 server (SeaweedFS, started here): large files,
// time travel, the delta-rs Python package reading the pond, secrets kept out of messages, and
// a server that goes away and comes back (writers racing and crashing: concurrency and crash).

import { spawnSync } from "node:child_process";
import { type S3Server, TEST_SECRET_KEY } from "@pond/delta-python";
import { type FS, PondError, sha256Hex } from "@pond/tinyfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOplogFs, fsckOplog, maintainOplog, openOplogFs } from "./index.js";
import { failure } from "./test-workers/failure.js";
import { deltalakePython, startTestS3Server } from "./test-workers/python.js";

let server: S3Server;
let options: { storageOptions: Record<string, string> };
beforeAll(async () => {
  server = await startTestS3Server();
  options = { storageOptions: server.storageOptions };
}, 600_000);
afterAll(() => server?.stop(), 60_000);

let seq = 0;
const pondUrl = () => `s3://pond-test/ponds/p${++seq}`;
const text = async (fs: FS, path: string) =>
  new TextDecoder().decode(await fs.root().readFile(path));

describe("a pond in a bucket", () => {
  it("keeps small and large files, every version, across opens", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    const big = new Uint8Array(9 << 20).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
    await fs.root().createDirPath("/data");
    await fs.root().writeFile("/data/big.bin", big);
    await fs.root().writeFile("/data/note.txt", "first");
    await fs.root().writeFile("/data/note.txt", "second");
    await fs.close();

    const again = await openOplogFs(url, options);
    expect(sha256Hex(await again.root().readFile("/data/big.bin"))).toBe(sha256Hex(big));
    expect(await text(again, "/data/note.txt")).toBe("second");
    const history = await again.history();
    expect(history.map((c) => c.version)).toEqual([0, 1, 2, 3, 4]);
    const old = await openOplogFs(url, { ...options, version: 3 });
    expect(await text(old, "/data/note.txt")).toBe("first");
    await old.close();
    await again.close();
    expect((await failure(openOplogFs(pondUrl(), options))).code).toBe("ENOENT");
  }, 300_000);

  it("is read by the delta-rs Python package", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    for (let i = 0; i < 3; i++) await fs.root().writeFile(`/f${i}.txt`, `row ${i}`);
    await fs.close();
    const script = [
      "import sys, json, os, deltalake",
      "t = deltalake.DeltaTable(sys.argv[1], storage_options=json.loads(sys.argv[2]))",
      "print(json.dumps({'version': t.version(), 'rows': t.to_pyarrow_table().num_rows}), flush=True)",
      "os._exit(0)",
    ].join("\n");
    const python = { ...server.storageOptions, aws_conditional_put: "etag" };
    const run = spawnSync(deltalakePython(), ["-c", script, url, JSON.stringify(python)], {
      encoding: "utf8",
    });
    expect(run.stdout, run.stderr).toMatch(/^\{.*\}\n$/);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 3 });
  }, 300_000);

  it("keeps secrets out of messages and history, and says what it cannot do", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    await fs.root().writeFile("/a.txt", "a");
    expect(JSON.stringify(await fs.history())).not.toContain(TEST_SECRET_KEY);
    await fs.close();
    const wrong = { ...server.storageOptions, aws_secret_access_key: "wrong-secret-value-42" };
    const denied = await failure(openOplogFs(url, { storageOptions: wrong }));
    expect(denied.code).toBe("EIO");
    expect(denied.message).toContain("s3://pond-test/ponds/");
    expect(denied.message).not.toContain("wrong-secret-value-42");
    const inUrl = await failure(openOplogFs("s3://key:hunter2@pond-test/x", options));
    expect(inUrl.code).toBe("EINVAL");
    expect(inUrl.message).not.toContain("hunter2");
    expect((await failure(fsckOplog(url))).code).toBe("ENOTSUP");
    expect((await failure(maintainOplog(url, {}))).code).toBe("ENOTSUP");
  }, 300_000);

  it("fails clearly while the server is down, with nothing half-committed, and works once it is back", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    await fs.root().writeFile("/before.txt", "before");
    await server.halt();
    try {
      const down = await failure(fs.root().writeFile("/during.txt", "during"));
      expect(down.code).toBe("EIO");
      expect(down.message).toContain(url);
      expect(down.message).not.toContain(TEST_SECRET_KEY);
    } finally {
      await server.resume();
    }
    await fs.close();
    // SeaweedFS answers 500 for a moment after its restart, while its volumes come back.
    let back: FS | undefined;
    for (let attempt = 0; back === undefined; attempt++) {
      back = await openOplogFs(url, options).catch(async (error: unknown) => {
        if (attempt === 30 || !PondError.is(error, "EIO")) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return undefined;
      });
    }
    expect(await back.root().exists("/during.txt")).toBe(false);
    await back.root().writeFile("/after.txt", "after");
    expect((await back.history()).length).toBe(3);
    await back.close();
  }, 300_000);
});
