// Large files stream in and out without being held in memory, checked against their sha256.

import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PondError } from "@pond/tinyfs";
import { afterAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-streams-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;

/** `count` chunks of `size` bytes with a pattern that differs per chunk. */
async function* chunks(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(size).fill(i & 0xff);
}

async function drain(
  stream: ReadableStream<Uint8Array>,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex") };
}

describe("streaming files", () => {
  it("writeFileFrom stores a large stream as one version with the right size and sha256", async () => {
    const fs = await createOplogFs(join(scratch, `pond-${next++}`));
    const expected = createHash("sha256");
    for await (const chunk of chunks(40, 256 * 1024)) expected.update(chunk);
    const meta = await fs.root().writeFileFrom("/big.bin", chunks(40, 256 * 1024));
    expect(meta.size).toBe(40 * 256 * 1024);
    expect(meta.sha256).toBe(expected.digest("hex"));
    expect(await drain(await fs.root().createReadStream("/big.bin"))).toEqual({
      size: meta.size,
      sha256: meta.sha256,
    });
    await fs.close();
  });

  it("a small stream is stored inline like writeFile", async () => {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    const meta = await fs.root().writeFileFrom("/small.txt", chunks(3, 10));
    expect(meta.size).toBe(30);
    expect(readdirSync(path)).not.toContain("_large_files");
    expect(Array.from(await fs.root().readFile("/small.txt"))).toEqual([
      ...new Array(10).fill(0),
      ...new Array(10).fill(1),
      ...new Array(10).fill(2),
    ]);
    await fs.close();
  });

  it("createWriteStream commits on close and is readable after reopening", async () => {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    const before = (await fs.history()).length;
    const writer = fs.root().createWriteStream("/streamed.bin").getWriter();
    for await (const chunk of chunks(8, 100_000)) await writer.write(chunk);
    await writer.close();
    expect(await fs.history()).toHaveLength(before + 1);
    await fs.close();
    const reopened = await openOplogFs(path);
    const { size } = await drain(await reopened.root().createReadStream("/streamed.bin"));
    expect(size).toBe(800_000);
    await reopened.close();
  });

  it("a write stream into a missing directory fails with ENOENT and writes nothing", async () => {
    const fs = await createOplogFs(join(scratch, `pond-${next++}`));
    const before = (await fs.history()).length;
    const writer = fs.root().createWriteStream("/missing/file.bin").getWriter();
    const outcome = await writer
      .write(new Uint8Array(10))
      .then(
        () => writer.close(),
        (e: unknown) => Promise.reject(e),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(PondError.is(outcome, "ENOENT")).toBe(true);
    expect(await fs.history()).toHaveLength(before);
    await fs.close();
  });

  it("a failing source inside a transaction leaves the transaction usable", async () => {
    const fs = await createOplogFs(join(scratch, `pond-${next++}`));
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100_000);
      throw new Error("source broke");
    }
    await fs.transaction(async (root) => {
      await expect(root.writeFileFrom("/a.bin", broken())).rejects.toThrow();
      await root.writeFile("/b.txt", "kept");
    });
    expect(await fs.root().exists("/a.bin")).toBe(false);
    expect(await fs.root().exists("/b.txt")).toBe(true);
    await fs.close();
  });

  it("a read stream of a damaged large file errors with CORRUPT", async () => {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    const meta = await fs.root().writeFileFrom("/big.bin", chunks(4, 100_000));
    writeFileSync(join(path, "_large_files", `sha256=${meta.sha256}`), new Uint8Array(400_000));
    const outcome = await drain(await fs.root().createReadStream("/big.bin")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(PondError.is(outcome, "CORRUPT")).toBe(true);
    await fs.close();
  });

  it("reads an older version as a stream", async () => {
    const fs = await createOplogFs(join(scratch, `pond-${next++}`));
    const v1 = await fs.root().writeFileFrom("/f", chunks(2, 70_000));
    await fs.root().writeFileFrom("/f", chunks(3, 70_000));
    expect(await drain(await fs.root().createReadStream("/f", { version: 1 }))).toEqual({
      size: v1.size,
      sha256: v1.sha256,
    });
    await fs.close();
  });
});
