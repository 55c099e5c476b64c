// Rows another Delta writer appended to a pond are checked where they are decoded: a bad one is
// CORRUPT naming its version and row, never used, and fsck reports it.

import { mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type PondError, ROOT_ID, sha256Hex } from "@pond/tinyfs";
import { newNodeId } from "@pond/tinyfs/backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FsckProblemKind, fsckOplog } from "./fsck.js";
import { createOplogFs, openOplogFs } from "./index.js";
import { fileRow, insert, recordRow } from "./test-workers/crafted.js";
import { failure } from "./test-workers/failure.js";
import { appendWithDeltalake, deltalakePython, type PythonRow } from "./test-workers/python.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-rows-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
beforeAll(() => {
  deltalakePython();
}, 600_000);

const text = (s: string) => new TextEncoder().encode(s);
let next = 0;

/** A pond holding /dir/file.txt ("hello"). */
async function pond(): Promise<{ path: string; dirId: string; fileId: string }> {
  const path = join(scratch, `pond-${next++}`);
  const fs = await createOplogFs(path);
  const dir = await fs.root().createDirPath("/dir");
  const file = await fs.root().writeFile("/dir/file.txt", "hello");
  await fs.close();
  return { path, dirId: dir.nodeId, fileId: file.nodeId };
}

/** A pond whose root gains `name` -> a new file, whose row `fields` change, in one appended version. */
async function craftedEntry(
  name: string,
  content: Uint8Array,
  fields: Partial<PythonRow> = {},
): Promise<{ path: string; version: number }> {
  const { path } = await pond();
  const nodeId = newNodeId();
  const version = appendWithDeltalake(path, [
    await recordRow(path, ROOT_ID, [insert(name, nodeId)]),
    fileRow(ROOT_ID, nodeId, content, fields),
  ]);
  return { path, version };
}

/** What reading `path` in the pond gives: the error it fails with. */
async function readFails(pondPath: string, path: string): Promise<PondError> {
  const fs = await openOplogFs(pondPath, { readOnly: true });
  try {
    return await failure(fs.root().readFile(path));
  } finally {
    await fs.close();
  }
}

async function fsckKinds(path: string): Promise<FsckProblemKind[]> {
  return (await fsckOplog(path)).problems.map((p) => p.kind);
}

describe("rows read from a table are untrusted", () => {
  it("an entry name no directory may hold is CORRUPT naming the record, and fsck reports it", async () => {
    for (const name of ["../../escape", "a/b", "nul\0name", ".", "..", "", "x".repeat(256)]) {
      const { path, version } = await craftedEntry(name, text("payload"));
      const fs = await openOplogFs(path, { readOnly: true });
      const error = await failure(fs.root().readdir("/"));
      await fs.close();
      expect(error.code, JSON.stringify(name)).toBe("CORRUPT");
      expect(error.message).toContain(`pond version ${version}`);
      expect(error.message).toContain(ROOT_ID);
      const problems = (await fsckOplog(path)).problems;
      expect(
        problems.find((p) => p.kind === "bad-directory-record"),
        JSON.stringify(name),
      ).toMatchObject({ version, path: "/" });
    }
  }, 120_000);

  it("a content_ref that leaves _large_files is CORRUPT, and the host file is never read", async () => {
    const secret = text("a host file pond must never show\n");
    const hostFile = join(scratch, `host-secret-${next}.txt`);
    writeFileSync(hostFile, secret);
    const { path: pondPath } = await pond();
    const ref = relative(pondPath, hostFile);
    expect(ref.startsWith("..")).toBe(true);
    const nodeId = newNodeId();
    const version = appendWithDeltalake(pondPath, [
      await recordRow(pondPath, ROOT_ID, [insert("leak", nodeId)]),
      { ...fileRow(ROOT_ID, nodeId, secret), content: null, content_ref: ref },
    ]);
    const error = await readFails(pondPath, "/leak");
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("content_ref");
    expect(error.message).toContain(`pond version ${version}`);
    expect(error.message).toContain(nodeId);
    expect(error.message).not.toContain("never show");
    expect(await fsckKinds(pondPath)).toContain("invalid-row");
  });

  it("a content_ref naming /dev/zero is CORRUPT at once, whatever size the row claims", async () => {
    const { path: pondPath } = await pond();
    const nodeId = newNodeId();
    const zero = `${"../".repeat(pondPath.split("/").length)}dev/zero`;
    appendWithDeltalake(pondPath, [
      await recordRow(pondPath, ROOT_ID, [insert("zero", nodeId)]),
      { ...fileRow(ROOT_ID, nodeId, text("x")), content: null, content_ref: zero, size: 2 ** 40 },
    ]);
    expect((await readFails(pondPath, "/zero")).code).toBe("CORRUPT");
    expect(await fsckKinds(pondPath)).toContain("invalid-row");
  });

  it("a content_ref that is not the row's own sha256 is CORRUPT", async () => {
    const other = sha256Hex(text("other content"));
    const { path } = await craftedEntry("misfiled", text("x".repeat(10)), {
      content: null,
      content_ref: `_large_files/sha256=${other}`,
    });
    expect((await readFails(path, "/misfiled")).message).toContain("content_ref");
    expect(await fsckKinds(path)).toContain("invalid-row");
  });

  it("a negative size, a size that is not the bytes stored, or an unknown entry type is CORRUPT", async () => {
    const cases: Array<[string, Partial<PythonRow>, string]> = [
      ["negative", { size: -5 }, "invalid size"],
      ["longer", { size: 1000 }, "but 7 bytes stored"],
      ["alien", { entry_type: "file:alien" }, "unknown entry type"],
    ];
    for (const [name, fields, message] of cases) {
      const { path, version } = await craftedEntry(name, text("payload"), fields);
      const error = await readFails(path, `/${name}`);
      expect(error.code, name).toBe("CORRUPT");
      expect(error.message, name).toContain(message);
      expect(error.message, name).toContain(`pond version ${version}`);
      const problem = (await fsckOplog(path)).problems.find((p) => p.kind === "invalid-row");
      expect(problem, name).toMatchObject({ version });
      expect(problem?.detail, name).toContain(message);
    }
  }, 60_000);

  it("a directory operation pond does not know is CORRUPT", async () => {
    const { path } = await pond();
    const record = await recordRow(path, ROOT_ID, [
      { name: "odd", op: "rename" as "insert", entry: insert("odd", newNodeId()).entry },
    ]);
    appendWithDeltalake(path, [record]);
    const fs = await openOplogFs(path, { readOnly: true });
    const error = await failure(fs.root().readdir("/"));
    await fs.close();
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("unknown operation rename");
    expect(await fsckKinds(path)).toContain("bad-directory-record");
  });

  it("a later row reusing a node's version is CORRUPT instead of replacing it", async () => {
    const { path, dirId, fileId } = await pond();
    // A handle that read the file before the duplicate arrived, and goes on.
    const before = await openOplogFs(path, { readOnly: true });
    expect(new TextDecoder().decode(await before.root().readFile("/dir/file.txt"))).toBe("hello");
    const version = appendWithDeltalake(path, [fileRow(dirId, fileId, text("evil!"))]);

    const error = await readFails(path, "/dir/file.txt");
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("a second row for this version");
    expect(error.message).toContain(fileId);
    const caughtUp = await failure(before.root().readFile("/dir/file.txt"));
    expect(caughtUp.code).toBe("CORRUPT");
    await before.close();
    const problem = (await fsckOplog(path)).problems.find((p) => p.kind === "duplicate-version");
    expect(problem).toMatchObject({ version, path: "/dir/file.txt" });
  });

  it("a valid row another Delta writer appended reads as any other", async () => {
    const { path } = await craftedEntry("welcome", text("from another writer"));
    const fs = await openOplogFs(path, { readOnly: true });
    expect(new TextDecoder().decode(await fs.root().readFile("/welcome"))).toBe(
      "from another writer",
    );
    await fs.close();
    expect((await fsckOplog(path)).problems).toEqual([]);
  });
});
