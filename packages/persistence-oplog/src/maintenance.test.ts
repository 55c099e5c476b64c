// Maintenance compacts without changing any version, honours retention, and is safe to interrupt.

import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FS, PondError, sha256Hex } from "@pond/tinyfs";
import { afterAll, describe, expect, it } from "vitest";
import { fsckOplog } from "./fsck.js";
import { createOplogFs, maintainOplog, openOplogFs } from "./index.js";
import { startWriter } from "./test-workers/spawn.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-maintenance-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;

/** Every path of a view with its type and, for files, the sha256 of its bytes. */
async function dump(fs: FS): Promise<string[]> {
  const lines: string[] = [];
  for await (const match of fs.root().glob("/**")) {
    const type = match.entry.entryType;
    if (type === "directory") lines.push(`${match.path}/`);
    else if (type === "symlink")
      lines.push(`${match.path} -> ${await fs.root().readlink(match.path)}`);
    else lines.push(`${match.path} ${sha256Hex(await fs.root().readFile(match.path))}`);
  }
  return lines;
}

async function dumpEveryVersion(path: string): Promise<Map<number, string[]>> {
  const fs = await openOplogFs(path, { readOnly: true });
  const dumps = new Map<number, string[]>();
  for (const commit of await fs.history()) {
    const view = await fs.atVersion(commit.version);
    dumps.set(commit.version, await dump(view));
    await view.close();
  }
  await fs.close();
  return dumps;
}

function dataFiles(path: string): number {
  return readdirSync(path)
    .filter((d) => d.startsWith("part_id="))
    .reduce(
      (n, d) => n + readdirSync(join(path, d)).filter((f) => f.endsWith(".parquet")).length,
      0,
    );
}

/** A pond with a few directories, files rewritten many times, a large file, a symlink, renames and removals. */
async function busyPond(): Promise<string> {
  const path = join(scratch, `pond-${next++}`);
  const fs = await createOplogFs(path);
  await fs.root().createDirPath("/a/b", { recursive: true });
  for (let i = 0; i < 30; i++) await fs.root().writeFile(`/a/b/f${i % 4}`, `value ${i}`);
  await fs.root().writeFile("/a/large.bin", new Uint8Array(100_000).fill(3));
  await fs.root().createSymlinkPath("/link", "/a/b/f1");
  await fs.root().rename("/a/b/f2", "/a/moved");
  await fs.root().remove("/a/b/f3");
  await fs.close();
  return path;
}

/** Actions in the newest checkpoint besides its adds, protocol and metadata. */
function tombstonesInCheckpoint(path: string): number {
  const last = JSON.parse(readFileSync(join(path, "_delta_log", "_last_checkpoint"), "utf8")) as {
    size: number;
    numOfAddFiles: number;
  };
  return last.size - last.numOfAddFiles - 2;
}

describe("maintenance", () => {
  it("compaction leaves every version exactly as it was, and fewer data files", async () => {
    const path = await busyPond();
    const before = await dumpEveryVersion(path);
    const filesBefore = dataFiles(path);
    const report = await maintainOplog(path);
    expect(report.retention).toBe("forever");
    expect(report.compaction.version).toBeDefined();
    expect(report.compaction.filesRemoved).toBeGreaterThan(report.compaction.filesAdded);
    const after = await dumpEveryVersion(path);
    for (const [version, tree] of before)
      expect(after.get(version), `version ${version}`).toEqual(tree);
    // History is kept whole: the replaced files stay for time travel.
    expect(dataFiles(path)).toBe(filesBefore + report.compaction.filesAdded);
    expect((await fsckOplog(path)).problems).toEqual([]);
  });

  it("a pond open in another process goes on reading and writing across a compaction", async () => {
    const path = await busyPond();
    const fs = await openOplogFs(path);
    await fs.root().readdir("/a/b");
    await maintainOplog(path);
    await fs.root().writeFile("/a/b/after", "written after compaction");
    expect((await fs.root().readdir("/a/b")).map((e) => e.name)).toEqual(["after", "f0", "f1"]);
    expect(new TextDecoder().decode(await fs.root().readFile("/a/b/f1"))).toBe("value 29");
    await fs.close();
  });

  it("retention forgets versions older than it, and says so when one is asked for", async () => {
    const path = await busyPond();
    await maintainOplog(path); // a compaction, so that there are replaced files to vacuum
    // Kept forever, the replaced files stay tombstoned in the checkpoint.
    expect(tombstonesInCheckpoint(path)).toBeGreaterThan(0);
    const fs = await openOplogFs(path);
    const newestBefore = (await fs.history()).at(-1)?.version as number;
    await fs.close();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const report = await maintainOplog(path, { retention: "1s" });
    expect(report.retention).toBe("1s");
    expect(report.log.oldestVersion).toBeGreaterThanOrEqual(newestBefore);
    expect(report.dataFilesDeleted.files).toBeGreaterThan(0);
    // Delta's retention follows, so the checkpoint forgets expired tombstones.
    expect(tombstonesInCheckpoint(path)).toBe(0);
    const reopened = await openOplogFs(path);
    const error = await reopened.atVersion(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(PondError.is(error)).toBe(true);
    expect((error as PondError).message).toMatch(/retained|oldest/);
    expect(await dump(reopened)).toContain(
      `/a/moved ${sha256Hex(new TextEncoder().encode("value 26"))}`,
    );
    await reopened.close();
    expect((await fsckOplog(path)).problems).toEqual([]);
    // The setting stays with the pond.
    expect((await maintainOplog(path)).retention).toBe("1s");
  });

  it("reclaims only old files that nothing refers to", async () => {
    const path = await busyPond();
    const old = new Date(Date.now() - 2 * 3600_000);
    const largeDir = join(path, "_large_files");
    writeFileSync(join(largeDir, "sha256=orphan-old"), "left by a transaction that failed");
    utimesSync(join(largeDir, "sha256=orphan-old"), old, old);
    writeFileSync(
      join(largeDir, "sha256=orphan-young"),
      "a transaction may be about to commit this",
    );
    const partition = readdirSync(path).find((d) => d.startsWith("part_id=")) as string;
    const parquet = readdirSync(join(path, partition)).find((f) =>
      f.endsWith(".parquet"),
    ) as string;
    const strayData = join(path, partition, "stray-from-a-failed-commit.parquet");
    copyFileSync(join(path, partition, parquet), strayData);
    utimesSync(strayData, old, old);
    const report = await maintainOplog(path);
    expect(report.largeFilesDeleted.files).toBe(1);
    expect(report.dataFilesDeleted.files).toBe(1);
    expect(readdirSync(largeDir).sort()).toEqual(
      [...readdirSync(largeDir)].filter((f) => f !== "sha256=orphan-old").sort(),
    );
    expect(readdirSync(largeDir)).toContain("sha256=orphan-young");
    expect(readdirSync(join(path, partition))).not.toContain("stray-from-a-failed-commit.parquet");
    const fs = await openOplogFs(path);
    expect((await fs.root().readFile("/a/large.bin")).length).toBe(100_000);
    await fs.close();
  });

  it("runs while another process commits, and loses nothing", async () => {
    const path = join(scratch, `pond-${next++}`);
    await (await createOplogFs(path)).close();
    const { child, done } = startWriter(["crash", path]);
    try {
      for (let round = 0; round < 4; round++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await maintainOplog(path);
      }
    } finally {
      child.kill("SIGKILL");
    }
    const finished = await done;
    const committed = finished.lines.length;
    expect(committed).toBeGreaterThan(5);
    const fs = await openOplogFs(path);
    const messages = (await fs.history())
      .map((c) => c.message)
      .filter((m) => m?.startsWith("crash"));
    expect(messages.length).toBeGreaterThanOrEqual(committed);
    expect(messages).toEqual(messages.map((_, i) => `crash ${i}`));
    await fs.close();
    expect((await fsckOplog(path)).problems).toEqual([]);
  }, 120_000);

  it("killed with SIGKILL at random moments, it never loses or damages anything", async () => {
    const path = await busyPond();
    for (let kill = 0; kill < 8; kill++) {
      const fs = await openOplogFs(path);
      for (let i = 0; i < 5; i++) await fs.root().writeFile(`/a/b/k${kill}-${i}`, `kill ${kill}`);
      await fs.root().writeFile(`/a/big-${kill}.bin`, new Uint8Array(70_000).fill(kill));
      await fs.close();
      const before = await dumpEveryVersion(path);
      const { child, done } = startWriter(["maintain", path]);
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 400));
      child.kill("SIGKILL");
      await done;
      const after = await dumpEveryVersion(path);
      for (const [version, tree] of before)
        expect(after.get(version), `version ${version}`).toEqual(tree);
      expect((await fsckOplog(path, { orphanGraceMs: 3600_000 })).problems).toEqual([]);
    }
  }, 300_000);

  it("bad settings are EINVAL and change nothing", async () => {
    const path = await busyPond();
    const error = await maintainOplog(path, { retention: "ten days" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(PondError.is(error, "EINVAL")).toBe(true);
    expect((await maintainOplog(path)).retention).toBe("forever");
  });
});
