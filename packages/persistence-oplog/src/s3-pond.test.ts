// Ponds whose table lives in a bucket of a real S3 server (SeaweedFS, started here): large files,
// time travel, the delta-rs Python package reading the pond, secrets kept out of messages, and
// a server that goes away and comes back (writers racing and crashing: concurrency and crash).

import { type S3Server, TEST_SECRET_KEY } from "@pond/delta-python";
import { type DirEntry, type FS, PondError, sha256Hex } from "@pond/tinyfs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommittedState } from "./committed-state.js";
import { createOplogFs, fsckOplog, maintainOplog, openOplogFs } from "./index.js";
import { OpLogTable } from "./table.js";
import { failure } from "./test-workers/failure.js";
import { readBucketWithDeltalake, startTestS3Server } from "./test-workers/python.js";
import { startS3Proxy } from "./test-workers/s3-proxy.js";

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

  it("reads a file's newest version from the two newest data files that hold it, its history on demand", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    for (let i = 0; i < 30; i++) await fs.root().writeFile(`/r${i % 3}.csv`, `reading ${i}\n`);
    const r0 = (await fs.root().readdir("/")).find((e) => e.name === "r0.csv") as DirEntry;
    await fs.close();

    const table = await OpLogTable.open(url, undefined, options.storageOptions);
    try {
      const state = new CommittedState(table);
      const before = table.scanStats().filesRead;
      expect((await state.newest(r0.nodeId, r0.partId))?.meta.version).toBe(10);
      const newest = await state.content(r0.nodeId, r0.partId, 10);
      expect(new TextDecoder().decode(newest)).toBe("reading 27\n");
      expect(table.scanStats().filesRead - before).toBe(2);
      const history = await state.versions(r0.nodeId, r0.partId);
      expect(history.map((v) => v.meta.version)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      const first = await state.content(r0.nodeId, r0.partId, 1);
      expect(new TextDecoder().decode(first)).toBe("reading 0\n");
    } finally {
      table.close();
    }
  });

  it("is read by the delta-rs Python package", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    for (let i = 0; i < 3; i++) await fs.root().writeFile(`/f${i}.txt`, `row ${i}`);
    await fs.close();
    const read = readBucketWithDeltalake(url, server);
    expect(read.version).toBe(3);
    expect(read.rows).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it("keeps secrets out of messages and history", async () => {
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
  }, 300_000);

  it("opens and reads in a dozen requests before and after maintenance in place; retention frees the rest", async () => {
    const url = pondUrl();
    const fs = await createOplogFs(url, options);
    await fs.root().createDirPath("/logs");
    for (let i = 0; i < 60; i++) {
      await fs.root().writeFile(`/logs/day${i % 20}.csv`, `day,${i}\n${"reading,".repeat(i)}\n`);
    }
    const expected = new Map<string, string>();
    for (let i = 0; i < 20; i++)
      expected.set(`/logs/day${i}.csv`, await text(fs, `/logs/day${i}.csv`));
    const newest = (await fs.history()).at(-1)?.version ?? -1;
    await fs.close();
    // Every request the open and the read send, counted by a proxy in front of the server.
    const openAndRead = async () => {
      const proxy = await startS3Proxy(server.endpoint);
      try {
        const storageOptions = { ...options.storageOptions, aws_endpoint: proxy.endpoint };
        const again = await openOplogFs(url, { storageOptions });
        const read = await text(again, "/logs/day7.csv");
        await again.close();
        // A log entry never changes: the open reads each one once.
        const entries = proxy.seen
          .filter((r) => r.method === "GET" && /_delta_log\/\d{20}\.json$/.test(r.path))
          .map((r) => r.path);
        expect(new Set(entries).size).toBe(entries.length);
        return { read, count: proxy.seen.length };
      } finally {
        await proxy.close();
      }
    };
    const unmaintained = await openAndRead();
    expect(unmaintained.read).toBe(expected.get("/logs/day7.csv"));
    expect(unmaintained.count).toBeLessThanOrEqual(12);

    const kept = await maintainOplog(url, { ...options, orphanGraceMs: 0 });
    expect(kept.compaction.version).toBeGreaterThan(newest);
    expect(kept.compaction.filesRemoved).toBeGreaterThan(10);
    expect(kept.log.oldestVersion).toBe(0);
    const compacted = await openAndRead();
    expect(compacted.read).toBe(expected.get("/logs/day7.csv"));
    expect(compacted.count).toBeLessThanOrEqual(12);
    expect(compacted.count).toBeLessThanOrEqual(unmaintained.count);
    // Version 0 made the pond, 1 the directory, 2 + i the i-th write.
    const old = await openOplogFs(url, { ...options, version: 6 });
    expect(await text(old, "/logs/day4.csv")).toBe(`day,4\n${"reading,".repeat(4)}\n`);
    expect(await old.root().exists("/logs/day5.csv")).toBe(false);
    await old.close();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const trimmed = await maintainOplog(url, { ...options, retention: "1s", orphanGraceMs: 0 });
    expect(trimmed.retention).toBe("1s");
    expect(trimmed.dataFilesDeleted.files).toBe(kept.compaction.filesRemoved);
    expect(trimmed.log.entriesDeleted).toBeGreaterThan(newest);
    expect(trimmed.log.oldestVersion).toBeGreaterThan(newest);
    const after = await openOplogFs(url, options);
    for (const [path, content] of expected) expect(await text(after, path)).toBe(content);
    await after.root().writeFile("/logs/day0.csv", "rewritten");
    await after.close();
    const checked = await fsckOplog(url, { ...options, orphanGraceMs: 0 });
    expect(checked.problems).toEqual([]);
    expect(checked.versions).toBeGreaterThan(newest);
    const gone = await failure(openOplogFs(url, { ...options, version: 5 }));
    expect(gone.message).toMatch(/retained|oldest/);
    expect(readBucketWithDeltalake(url, server).version).toBeGreaterThan(trimmed.log.oldestVersion);
  }, 300_000);

  it("leaves nothing half-committed when the server goes away at any request of a commit", async () => {
    const url = pondUrl();
    const proxy = await startS3Proxy(server.endpoint);
    try {
      const via = { storageOptions: { ...options.storageOptions, aws_endpoint: proxy.endpoint } };
      const big = new Uint8Array(9 << 20).map((_, i) => (i * 13 + (i >> 10)) & 0xff);
      // One commit of a large file (a multipart upload) and two directories' small files.
      const commit = (fs: FS, n: number) =>
        fs.transaction(async (root) => {
          await root.createDirPath(`/d${n}`);
          await root.writeFile(
            `/d${n}/big.bin`,
            big.map((b) => b ^ n),
          );
          await root.writeFile(`/d${n}/note.txt`, `note ${n}`);
          await root.writeFile(`/top${n}.txt`, `top ${n}`);
        });
      await (await createOplogFs(url, via)).close();
      // A writer's first commit: the check that the store refuses overwrites, then the commit.
      const fs = await openOplogFs(url, via);
      const first = proxy.seen.length;
      await commit(fs, 0);
      const perCommit = proxy.seen.length - first;
      expect(perCommit).toBeGreaterThan(4);
      await fs.close();

      let versions = 2;
      for (let k = 0; k < perCommit; k++) {
        const writer = await openOplogFs(url, via);
        const from = proxy.seen.length + k;
        proxy.decide((_, index) => (index >= from ? { drop: true } : {}));
        const outcome = await commit(writer, k + 1).then(
          () => undefined,
          (error: unknown) => error,
        );
        proxy.decide(undefined);
        await writer.close().catch(() => undefined);
        const reader = await openOplogFs(url, via);
        const history = await reader.history();
        if (outcome === undefined) {
          // Only the answer to the last request was lost after it had landed.
          versions++;
        } else {
          expect(PondError.is(outcome, "EIO"), String(outcome)).toBe(true);
          expect((outcome as PondError).message).toContain(url);
          expect((outcome as PondError).message).not.toContain(TEST_SECRET_KEY);
        }
        expect(history.length).toBe(versions);
        const landed = await reader.root().exists(`/d${k + 1}`);
        expect(landed).toBe(outcome === undefined);
        await reader.close();
      }
      // What the commits cut short had stored is named by no version: orphans once old enough.
      expect((await fsckOplog(url, options)).problems).toEqual([]);
      const leftovers = await fsckOplog(url, { ...options, orphanGraceMs: 0 });
      const kinds = new Set(leftovers.problems.map((p) => p.kind));
      expect(leftovers.problems.length).toBeGreaterThan(0);
      expect([...kinds].every((k) => k === "orphan-data-file" || k === "orphan-large-file")).toBe(
        true,
      );
      const after = await openOplogFs(url, via);
      await commit(after, 99);
      expect(sha256Hex(await after.root().readFile("/d99/big.bin"))).toBe(
        sha256Hex(big.map((b) => b ^ 99)),
      );
      expect(sha256Hex(await after.root().readFile("/d0/big.bin"))).toBe(sha256Hex(big));
      await after.close();
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it("is not written through a store that overwrites a put-if-absent, unless one writer is vouched for", async () => {
    const url = pondUrl();
    const proxy = await startS3Proxy(server.endpoint);
    try {
      // The proxy answers a refused put-if-absent as done, as a store without conditional
      // writes would.
      proxy.decide(() => ({ ignoreConditions: true }));
      const via = { storageOptions: { ...options.storageOptions, aws_endpoint: proxy.endpoint } };
      const refused = await failure(createOplogFs(url, via));
      expect(refused.code).toBe("ENOTSUP");
      expect(refused.message).toContain("pond_single_writer");
      expect(refused.message).toContain(url);
      expect((await failure(openOplogFs(url, options))).code).toBe("ENOENT");

      const single = { storageOptions: { ...via.storageOptions, pond_single_writer: "true" } };
      const alone = await createOplogFs(url, single);
      await alone.root().writeFile("/one.txt", "one writer");
      await alone.close();
      const writer = await openOplogFs(url, via);
      expect(await text(writer, "/one.txt")).toBe("one writer");
      expect((await failure(writer.root().writeFile("/two.txt", "two"))).code).toBe("ENOTSUP");
      await writer.close();
      expect((await (await openOplogFs(url, options)).history()).length).toBe(2);
      const bad = { storageOptions: { ...options.storageOptions, pond_single_writer: "yes" } };
      expect((await failure(openOplogFs(url, bad))).code).toBe("EINVAL");
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it("commits once when the answers to its puts are lost after they landed", async () => {
    const url = pondUrl();
    const proxy = await startS3Proxy(server.endpoint);
    try {
      const via = { storageOptions: { ...options.storageOptions, aws_endpoint: proxy.endpoint } };
      const fs = await createOplogFs(url, via);
      await fs.root().writeFile("/first.txt", "first");
      // Each put of the next commit (its data file, then its log entry) lands, and its answer
      // is lost: the client sends it again and is told the object exists.
      const lost = new Set<string>();
      proxy.decide((request) => {
        if (request.method !== "PUT" || lost.has(request.path)) return {};
        lost.add(request.path);
        return { dropAnswer: true };
      });
      await fs.root().writeFile("/second.txt", "second");
      proxy.decide(undefined);
      expect([...lost].some((path) => /_delta_log\/\d{20}\.json$/.test(path))).toBe(true);
      expect([...lost].some((path) => path.endsWith(".parquet"))).toBe(true);
      await fs.close();
      const again = await openOplogFs(url, options);
      expect((await again.history()).map((c) => c.version)).toEqual([0, 1, 2]);
      expect(await text(again, "/second.txt")).toBe("second");
      await again.close();
      expect((await fsckOplog(url, { ...options, orphanGraceMs: 0 })).problems).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it("retries requests that fail, and gives up on a server too slow to answer", async () => {
    const url = pondUrl();
    const proxy = await startS3Proxy(server.endpoint);
    try {
      const via = {
        storageOptions: { ...options.storageOptions, aws_endpoint: proxy.endpoint, timeout: "2s" },
      };
      const fs = await createOplogFs(url, via);
      // Every other request dropped: each is sent again and the commits land.
      proxy.decide((_, index) => (index % 2 === 0 ? { drop: true } : {}));
      for (let i = 0; i < 5; i++) await fs.root().writeFile(`/flaky${i}.txt`, `flaky ${i}`);
      proxy.decide(undefined);
      expect((await fs.history()).length).toBe(6);

      proxy.decide(() => ({ delayMs: 5_000 }));
      const slow = await failure(fs.root().writeFile("/slow.txt", "slow"));
      proxy.decide(undefined);
      expect(slow.code).toBe("ETIMEDOUT");
      expect(slow.message).toContain(url);
      expect(slow.message).not.toContain(TEST_SECRET_KEY);
      await fs.close();
      const back = await openOplogFs(url, via);
      expect(await back.root().exists("/slow.txt")).toBe(false);
      await back.root().writeFile("/fast.txt", "fast");
      expect((await back.history()).length).toBe(7);
      await back.close();
    } finally {
      await proxy.close();
    }
  }, 600_000);

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
