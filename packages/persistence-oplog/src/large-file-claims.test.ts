// A transaction that does not commit takes back the large files it stored, at once, and only
// those nothing else uses; a full disk is reported as ENOSPC.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FS, PondError, sha256Hex } from "@pond/tinyfs";
import { afterAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-claims-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;

const big = (seed: number) => new Uint8Array(100_000).map((_, i) => (i * seed) & 0xff);
const blob = (content: Uint8Array) => `sha256=${sha256Hex(content)}`;
const blobs = (path: string) =>
  readdirSync(join(path, "_large_files")).filter((name) => !name.startsWith("."));

async function newPond(): Promise<{ path: string; fs: FS }> {
  const path = join(scratch, `pond-${next++}`);
  const fs = await createOplogFs(path);
  await fs.root().writeFile("/seed.bin", big(1));
  return { path, fs };
}

async function failure(promise: Promise<unknown>): Promise<PondError | Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

async function* chunks(content: Uint8Array): AsyncIterable<Uint8Array> {
  for (let at = 0; at < content.length; at += 16_384) yield content.subarray(at, at + 16_384);
}

describe("large files of a transaction that does not commit", () => {
  it("are taken back when it rolls back, written whole or streamed", async () => {
    const { path, fs } = await newPond();
    await failure(
      fs.transaction(async (root) => {
        await root.writeFile("/a.bin", big(3));
        await root.writeFileFrom("/b.bin", chunks(big(5)));
        expect(blobs(path)).toContain(blob(big(5)));
        throw new Error("changed my mind");
      }),
    );
    expect(blobs(path)).toEqual([blob(big(1))]);
    await fs.close();
  });

  it("are kept when a committed version holds the same content", async () => {
    const { path, fs } = await newPond();
    await failure(
      fs.transaction(async (root) => {
        await root.writeFile("/copy.bin", big(1));
        throw new Error("no");
      }),
    );
    expect(blobs(path)).toEqual([blob(big(1))]);
    expect(sha256Hex(await fs.root().readFile("/seed.bin"))).toBe(sha256Hex(big(1)));
    await fs.close();
  });

  it("are kept when another writer stored the same content meanwhile and committed it", async () => {
    const { path, fs } = await newPond();
    const other = await openOplogFs(path);
    await failure(
      fs.transaction(async (root) => {
        await root.writeFile("/mine.bin", big(7));
        await other.root().writeFile("/theirs.bin", big(7));
        throw new Error("no");
      }),
    );
    expect(blobs(path)).toContain(blob(big(7)));
    expect(sha256Hex(await other.root().readFile("/theirs.bin"))).toBe(sha256Hex(big(7)));
    await other.close();
    await fs.close();
  });

  it("are taken back when the commit fails with CONFLICT, which names the path", async () => {
    const { path, fs } = await newPond();
    await fs.root().createDirPath("/shared");
    const other = await openOplogFs(path);
    const error = await failure(
      fs.transaction(async (root) => {
        await root.writeFile("/shared/x.bin", big(9));
        await other.root().writeFile("/shared/x.bin", "a concurrent writer was first");
      }),
    );
    expect(PondError.is(error, "CONFLICT")).toBe(true);
    expect((error as PondError).path).toBe("/shared/x.bin");
    expect(blobs(path)).toEqual([blob(big(1))]);
    await other.close();
    await fs.close();
  });

  it("are taken back when an operation inside a transaction that commits is undone", async () => {
    const { path, fs } = await newPond();
    await fs.transaction(async (root) => {
      await root.writeFile("/kept.bin", big(11));
      await failure(
        fs.transaction(async (inner) => {
          await inner.writeFile("/undone.bin", big(13));
          throw new Error("inner change undone");
        }),
      );
    });
    expect(blobs(path).sort()).toEqual([blob(big(1)), blob(big(11))].sort());
    await fs.close();
  });
});

/** Whether this machine lets an unprivileged process mount a tmpfs in namespaces of its own. */
function canMountTmpfs(): boolean {
  const probe = spawnSync("unshare", [
    "--user",
    "--map-root-user",
    "--mount",
    "sh",
    "-c",
    `mount -t tmpfs -o size=1m tmpfs "${scratch}"`,
  ]);
  return probe.status === 0;
}

describe("a full disk", () => {
  it.runIf(canMountTmpfs())(
    "is ENOSPC, and the failed transaction's large files go at once so that the pond is writable again",
    () => {
      const worker = fileURLToPath(new URL("./test-workers/full-disk.mjs", import.meta.url));
      const disk = join(scratch, `small-disk-${next++}`);
      execFileSync("mkdir", ["-p", disk]);
      const out = execFileSync("unshare", [
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        'mount -t tmpfs -o size=4m tmpfs "$0" && exec "$1" "$2" "$0/pond"',
        disk,
        process.execPath,
        worker,
      ]);
      const outcome = JSON.parse(out.toString()) as Record<string, unknown>;
      expect(outcome.code, String(outcome.message)).toBe("ENOSPC");
      expect(outcome.wholeCode).toBe("ENOSPC");
      expect(outcome.blobsAfterFailure).toEqual([]);
      expect(outcome.roomBack).toBe(true);
      expect(outcome.afterError).toBeUndefined();
      expect(outcome.writtenAfter).toBeGreaterThan(0);
      expect(outcome.listing).toEqual(["after.bin", "before.txt"]);
    },
    60_000,
  );
});
