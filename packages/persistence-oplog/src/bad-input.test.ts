// Damaged or foreign tables give a PondError naming the file, never a crash.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";
import { failure } from "./test-workers/failure.js";
import { deltalakePython } from "./test-workers/python.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-bad-input-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
beforeAll(() => {
  deltalakePython();
}, 600_000);

let next = 0;
async function pondWithFile(): Promise<{ path: string; partition: string }> {
  const path = join(scratch, `pond-${next++}`);
  const fs = await createOplogFs(path);
  const dir = await fs.root().createDirPath("/dir");
  await fs.root().writeFile("/dir/file.txt", "hello");
  await fs.close();
  return { path, partition: join(path, `part_id=${dir.nodeId}`) };
}

describe("bad input", () => {
  it("a URL other than file:// or s3:// is ENOTSUP, and nothing is created for it", async () => {
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      for (const url of ["gs://bucket/lake", "https://example.com/lake"]) {
        for (const attempt of [createOplogFs(url), openOplogFs(url)]) {
          const error = await failure(attempt);
          expect(error.code).toBe("ENOTSUP");
          expect(error.path).toBe(url);
        }
      }
      expect(readdirSync(scratch).filter((name) => name.endsWith(":"))).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it("a file:// URL names the directory it points to", async () => {
    const path = join(scratch, "by-url");
    await (await createOplogFs(`file://${path}`)).close();
    await (await openOplogFs(path)).close();
  });

  it("a truncated Parquet file is CORRUPT naming the file", async () => {
    const { path, partition } = await pondWithFile();
    const files = readdirSync(partition).filter((f) => f.endsWith(".parquet"));
    for (const file of files) truncateSync(join(partition, file), 20);
    const fs = await openOplogFs(path);
    const error = await failure(fs.root().readFile("/dir/file.txt"));
    expect(error.code).toBe("CORRUPT");
    expect(files.filter((file) => error.message.includes(file))).toHaveLength(1);
    // The pond is still usable elsewhere.
    await fs.root().writeFile("/other.txt", "fine");
    expect(new TextDecoder().decode(await fs.root().readFile("/other.txt"))).toBe("fine");
    await fs.close();
  });

  it("a garbage _delta_log entry is CORRUPT naming the file", async () => {
    const { path } = await pondWithFile();
    const log = join(path, "_delta_log");
    const newest = readdirSync(log)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .pop() as string;
    const next = `${String(Number.parseInt(newest, 10) + 1).padStart(20, "0")}.json`;
    writeFileSync(join(log, next), "{ this is not json\n");
    const error = await failure(openOplogFs(path));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain(next);
  });

  it("a Delta table of another schema is EINVAL", async () => {
    const path = join(scratch, "foreign");
    execFileSync(deltalakePython(), [
      "-c",
      "import sys, pyarrow as pa; from deltalake import write_deltalake; " +
        "write_deltalake(sys.argv[1], pa.table({'x': [1, 2, 3]})); import os; os._exit(0)",
      path,
    ]);
    const error = await failure(openOplogFs(path));
    expect(error.code).toBe("EINVAL");
    expect(error.message).toContain(path);
    // createOplogFs must not take over someone else's table either.
    expect((await failure(createOplogFs(path))).code).toBe("EINVAL");
  });

  it("a directory that is not a pond is ENOENT naming it", async () => {
    const path = join(scratch, "not-a-pond");
    mkdirSync(path);
    writeFileSync(join(path, "notes.txt"), "just a file");
    const error = await failure(openOplogFs(path));
    expect(error.code).toBe("ENOENT");
    expect(error.message).toContain(path);
    expect((await failure(openOplogFs(join(scratch, "missing")))).code).toBe("ENOENT");
  });

  it("a regular file as the pond path is an error, not a crash", async () => {
    const path = join(scratch, "a-file");
    writeFileSync(path, "data");
    const error = await failure(openOplogFs(path));
    expect(["ENOENT", "EINVAL"]).toContain(error.code);
    expect(error.message).toContain(path);
  });

  it("a large file whose bytes changed on disk is CORRUPT naming it", async () => {
    const path = join(scratch, `pond-${next++}`);
    const fs = await createOplogFs(path);
    const meta = await fs.root().writeFile("/big.bin", new Uint8Array(100_000).fill(7));
    await fs.close();
    const blob = join(path, "_large_files", `sha256=${meta.sha256}`);
    writeFileSync(blob, new Uint8Array(100_000).fill(8));
    const reopened = await openOplogFs(path);
    const error = await failure(reopened.root().readFile("/big.bin"));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain(blob);
    await reopened.close();
  });

  it("invalid open options are EINVAL", async () => {
    const { path } = await pondWithFile();
    expect((await failure(openOplogFs(path, { version: -1 }))).code).toBe("EINVAL");
    expect((await failure(openOplogFs(path, { version: 99 }))).code).toMatch(/EINVAL|ENOENT/);
    expect((await failure(openOplogFs(path, { asOf: new Date(0) }))).code).toBe("EINVAL");
    expect((await failure(openOplogFs(path, { asOf: new Date("nope") }))).code).toBe("EINVAL");
  });
});
