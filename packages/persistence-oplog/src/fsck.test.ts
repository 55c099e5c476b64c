// fsck finds every kind of damage, names where it is, and finds nothing in a healthy pond.

import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT_ID, sha256Hex } from "@pond/tinyfs";
import { newNodeId } from "@pond/tinyfs/backend";
import { afterAll, describe, expect, it } from "vitest";
import { encodeDirectoryChanges } from "./directory-record.js";
import { type FsckProblem, fsckOplog } from "./fsck.js";
import { createOplogFs, maintainOplog } from "./index.js";
import type { OpLogRow } from "./rows.js";
import { OpLogTable } from "./table.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-fsck-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
const old = new Date(Date.now() - 2 * 3600_000);

async function healthyPond(name: string): Promise<{ path: string; dirs: Record<string, string> }> {
  const path = join(scratch, name);
  const fs = await createOplogFs(path);
  const data = await fs.root().createDirPath("/data");
  const logs = await fs.root().createDirPath("/logs");
  await fs.root().writeFile("/data/a.txt", "alpha");
  await fs.root().writeFile("/data/big.bin", new Uint8Array(80_000).fill(1));
  await fs.root().writeFile("/data/other-big.bin", new Uint8Array(90_000).fill(2));
  await fs.root().writeFile("/logs/l.txt", "log");
  await fs.root().writeFile("/logs/l.txt", "log 2");
  await fs.close();
  return { path, dirs: { data: data.nodeId, logs: logs.nodeId } };
}

/** Commits rows that bypass pond, as damage or a buggy writer would leave them. */
async function commitRaw(path: string, rows: (version: number) => OpLogRow[]): Promise<void> {
  const table = await OpLogTable.open(path);
  const version = table.version + 1;
  await table.commit(rows(version), version, {
    txnId: "raw",
    timestamp: Date.now(),
    rows: 1,
    partitions: 1,
  });
  table.close();
}

function row(
  version: number,
  fields: Partial<OpLogRow> & Pick<OpLogRow, "partId" | "nodeId">,
): OpLogRow {
  return {
    entryType: "file:data",
    version: 1,
    txnSeq: version,
    timestamp: Date.now(),
    content: null,
    contentRef: null,
    size: 0,
    sha256: "",
    minEventTime: null,
    maxEventTime: null,
    attrs: null,
    ...fields,
  };
}

const kinds = (problems: FsckProblem[]) => problems.map((p) => p.kind).sort();

describe("fsck", () => {
  it("finds nothing wrong in a healthy pond, before and after maintenance", async () => {
    const { path } = await healthyPond("healthy");
    expect((await fsckOplog(path)).problems).toEqual([]);
    await maintainOplog(path);
    const report = await fsckOplog(path);
    expect(report.problems).toEqual([]);
    expect(report.largeFiles).toBe(2);
  });

  it("names every kind of damage with its path, version or file", async () => {
    const { path, dirs } = await healthyPond("damaged");
    const table = await OpLogTable.open(path);
    const rootRecords = (await table.scan(ROOT_ID, ROOT_ID)).length;
    const largeRows = (await table.scan(dirs.data as string)).filter((r) => r.contentRef);
    const big = largeRows.find((r) => r.size === 80_000);
    const otherBig = largeRows.find((r) => r.size === 90_000);
    table.close();

    // An entry naming a node that has no version, and a file whose stored bytes are not what it says.
    const ghost = newNodeId();
    const liar = newNodeId();
    await commitRaw(path, (version) => [
      row(version, {
        partId: ROOT_ID,
        nodeId: ROOT_ID,
        entryType: "directory",
        version: rootRecords + 1,
        size: 4,
        content: encodeDirectoryChanges([
          {
            name: "ghost",
            op: "insert",
            entry: { name: "ghost", nodeId: ghost, partId: ROOT_ID, entryType: "file:data" },
          },
          {
            name: "liar",
            op: "insert",
            entry: { name: "liar", nodeId: liar, partId: ROOT_ID, entryType: "file:data" },
          },
        ]),
      }),
      row(version, {
        partId: ROOT_ID,
        nodeId: liar,
        content: new TextEncoder().encode("truth"),
        size: 5,
        sha256: sha256Hex(new TextEncoder().encode("lies!")),
      }),
    ]);
    // A large file deleted, another one's bytes changed.
    rmSync(join(path, big?.contentRef as string));
    writeFileSync(join(path, otherBig?.contentRef as string), new Uint8Array(90_000).fill(9));
    // Files nothing refers to.
    writeFileSync(join(path, "_large_files", "sha256=stray"), "orphan");
    utimesSync(join(path, "_large_files", "sha256=stray"), old, old);
    const logsPartition = join(path, `part_id=${dirs.logs}`);
    const [first, second] = readdirSync(logsPartition)
      .filter((f) => f.endsWith(".parquet"))
      .sort();
    copyFileSync(join(logsPartition, first as string), join(logsPartition, "stray.parquet"));
    utimesSync(join(logsPartition, "stray.parquet"), old, old);
    // A data file cut short.
    truncateSync(join(logsPartition, second as string), 30);

    const { problems } = await fsckOplog(path);
    // The rows in the cut file are gone too, so what named them points nowhere: that is reported under /logs.
    const knockOn = problems.filter(
      (p) => p.kind === "missing-node" && p.path?.startsWith("/logs"),
    );
    expect(knockOn.length).toBeGreaterThan(0);
    expect(kinds(problems.filter((p) => !knockOn.includes(p)))).toEqual(
      [
        "content-mismatch",
        "content-mismatch",
        "missing-large-file",
        "missing-node",
        "orphan-data-file",
        "orphan-large-file",
        "unreadable-data-file",
      ].sort(),
    );
    const find = (kind: string, where?: string) =>
      problems.find(
        (p) => p.kind === kind && (where === undefined || p.path === where || p.file === where),
      );
    expect(find("missing-node", "/ghost")?.version).toBeGreaterThan(0);
    expect(find("content-mismatch", "/liar")).toBeDefined();
    expect(find("content-mismatch", "/data/other-big.bin")?.file).toBe(otherBig?.contentRef);
    expect(find("missing-large-file", "/data/big.bin")?.file).toBe(big?.contentRef);
    expect(find("orphan-large-file", "_large_files/sha256=stray")).toBeDefined();
    expect(find("orphan-data-file", `part_id=${dirs.logs}/stray.parquet`)).toBeDefined();
    expect(find("unreadable-data-file")?.detail).toContain(second);
  });

  it("a data file a version needs that is gone is missing", async () => {
    const { path, dirs } = await healthyPond("missing-data");
    const partition = join(path, `part_id=${dirs.data}`);
    const file = readdirSync(partition).find((f) => f.endsWith(".parquet")) as string;
    rmSync(join(partition, file));
    const { problems } = await fsckOplog(path);
    expect(problems.find((p) => p.kind === "missing-data-file")?.file).toBe(
      `part_id=${dirs.data}/${file}`,
    );
  });

  it("a directory inside itself, or in two places, is reported where the entry was added", async () => {
    const { path, dirs } = await healthyPond("misplaced");
    const data = dirs.data as string;
    const logs = dirs.logs as string;
    const table = await OpLogTable.open(path);
    const records = async (dir: string) => (await table.scan(dir, dir)).length;
    const [dataRecords, logsRecords] = [await records(data), await records(logs)];
    table.close();
    const entry = (name: string, nodeId: string) => ({
      name,
      op: "insert" as const,
      entry: { name, nodeId, partId: nodeId, entryType: "directory" as const },
    });
    const record = (version: number, dir: string, count: number, entries: [string, string][]) =>
      row(version, {
        partId: dir,
        nodeId: dir,
        entryType: "directory",
        version: count + 1,
        size: 0,
        content: encodeDirectoryChanges(entries.map(([name, node]) => entry(name, node))),
      });
    // /data/loop is /data, /logs/up is the root, /logs/again is /data once more.
    await commitRaw(path, (v) => [record(v, data, dataRecords, [["loop", data]])]);
    await commitRaw(path, (v) => [
      record(v, logs, logsRecords, [
        ["up", ROOT_ID],
        ["again", data],
      ]),
    ]);
    const { problems } = await fsckOplog(path);
    const found = problems.map(({ kind, path, version }) => ({ kind, path, version }));
    expect(found).toEqual([
      { kind: "directory-cycle", path: "/data/loop", version: 8 },
      { kind: "directory-cycle", path: "/logs/up", version: 9 },
      { kind: "directory-in-two-places", path: "/logs/again", version: 9 },
    ]);
  });
});
