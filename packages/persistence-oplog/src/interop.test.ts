// A pond's table is read by the delta-rs Python package: same versions, rows and bytes.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";
import { deltalakePython, readWithDeltalake } from "./test-workers/python.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-interop-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
beforeAll(() => {
  deltalakePython();
}, 600_000);

interface PythonRow {
  part_id: string;
  node_id: string;
  entry_type: string;
  version: number;
  txn_seq: number;
  content: string | null;
  content_ref: string | null;
  size: number;
  sha256: string;
  timestamp_ms: number;
}

interface PythonView {
  version: number;
  partition_columns: string[];
  min_reader_version: number;
  history_versions: number[];
  rows_per_version: Record<string, number>;
  rows: PythonRow[];
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("interop with the delta-rs Python package", () => {
  it("reads every version, the partition column and the bytes pond wrote", async () => {
    const path = join(scratch, "pond");
    const fs = await createOplogFs(path);
    const root = fs.root();
    await root.createDirPath("/data/raw", { recursive: true });
    await root.writeFile("/data/raw/a.txt", "first");
    await root.writeFile("/data/raw/a.txt", "second version");
    await fs.transaction(async (r) => {
      await r.writeFile("/data/b.bin", new Uint8Array([0, 255, 1, 254, 0x80]));
      await r.writeFile(
        "/data/large.bin",
        new Uint8Array(100_000).map((_, i) => (i * 13) & 0xff),
      );
      await r.createSymlinkPath("/latest", "/data/raw/a.txt");
    });
    await root.rename("/data/b.bin", "/data/raw/b.bin");
    await root.remove("/latest");
    const history = await fs.history();
    await fs.close();

    const view = readWithDeltalake(path) as PythonView;
    const newest = history[history.length - 1]?.version as number;
    expect(view.version).toBe(newest);
    expect(view.partition_columns).toEqual(["part_id"]);
    expect(view.min_reader_version).toBe(1);
    expect(view.history_versions).toEqual(history.map((c) => c.version));
    let rows = 0;
    for (const commit of history) {
      rows += commit.rows ?? 0;
      expect(view.rows_per_version[String(commit.version)], `version ${commit.version}`).toBe(rows);
    }

    const reopened = await openOplogFs(path);
    for (const file of ["/data/raw/a.txt", "/data/raw/b.bin", "/data/large.bin"]) {
      for (const meta of await reopened.root().listFileVersions(file)) {
        const row = view.rows.find((r) => r.node_id === meta.nodeId && r.version === meta.version);
        expect(row, `${file}@${meta.version}`).toBeDefined();
        expect(row?.part_id).toBe(meta.partId);
        expect(row?.sha256).toBe(meta.sha256);
        expect(row?.size).toBe(meta.size);
        expect(row?.txn_seq).toBe(meta.txnSeq);
        expect(row?.timestamp_ms).toBe(meta.timestamp.getTime());
        const bytes = await reopened.root().readFile(file, { version: meta.version });
        if (meta.size < 64 * 1024) {
          expect(row?.content).toBe(hex(bytes));
        } else {
          expect(row?.content).toBeNull();
          expect(row?.content_ref).toBe(`_large_files/sha256=${meta.sha256}`);
        }
      }
    }
    await reopened.close();
  }, 300_000);

  it("opens and goes on writing a table whose newest checkpoint the Python package wrote", async () => {
    const path = join(scratch, "python-checkpoint");
    const fs = await createOplogFs(path);
    await fs.root().createDirPath("/d");
    for (let i = 0; i < 5; i++) await fs.root().writeFile(`/d/f${i}`, `v${i}`);
    await fs.root().remove("/d/f0");
    await fs.close();
    execFileSync(deltalakePython(), [
      "-c",
      "import os, sys, deltalake\ndeltalake.DeltaTable(sys.argv[1]).create_checkpoint()\nos._exit(0)",
      path,
    ]);
    const checkpoints = readdirSync(join(path, "_delta_log")).filter((f) =>
      f.includes(".checkpoint."),
    );
    expect(checkpoints).toHaveLength(1);

    const reopened = await openOplogFs(path);
    const names = async (f: typeof fs) => (await f.root().readdir("/d")).map((e) => e.name);
    expect(await names(reopened)).toEqual(["f1", "f2", "f3", "f4"]);
    expect(new TextDecoder().decode(await reopened.root().readFile("/d/f3"))).toBe("v3");
    await reopened.root().writeFile("/d/f5", "v5");
    await reopened.close();
    const again = await openOplogFs(path, { readOnly: true });
    expect(await names(again)).toEqual(["f1", "f2", "f3", "f4", "f5"]);
    await again.close();
  }, 300_000);
});
