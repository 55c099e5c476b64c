// A pond never leaves its own directories: a link inside them (a tarball can carry one) is
// CORRUPT and never followed by a read, a write, a vacuum or a reclaim, and fsck reports it.

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FsckProblem, fsckOplog } from "./fsck.js";
import { createOplogFs, maintainOplog, openOplogFs } from "./index.js";
import { failure } from "./test-workers/failure.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-confined-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
const old = new Date(Date.now() - 3 * 3600_000);
const BIG = new Uint8Array(100_000).map((_, i) => i & 0xff);
let next = 0;

/** A pond with a small and a large file, and a directory `outside` beside it standing for the host. */
async function pondAndHost(): Promise<{
  path: string;
  host: string;
  sha256: string;
  dirId: string;
}> {
  const base = join(scratch, `case-${next++}`);
  const path = join(base, "pond");
  const host = join(base, "outside");
  mkdirSync(host, { recursive: true });
  const fs = await createOplogFs(path);
  const dir = await fs.root().createDirPath("/dir");
  await fs.root().writeFile("/dir/small.txt", "small");
  const big = await fs.root().writeFile("/dir/big.bin", BIG);
  await fs.close();
  return { path, host, sha256: big.sha256, dirId: dir.nodeId };
}

/** A host file last modified long ago, so that any reclaim would take it. */
function oldHostFile(path: string, content = "a host file"): void {
  writeFileSync(path, content);
  utimesSync(path, old, old);
}

const logEntry = (version: number) => `_delta_log/${String(version).padStart(20, "0")}.json`;

const find = (problems: FsckProblem[], kind: string, file: string) =>
  problems.find((p) => p.kind === kind && p.file === file);

describe("links inside a pond", () => {
  it("_large_files as a link: maintain deletes nothing where it points, and reads never follow it", async () => {
    const { path, host, sha256 } = await pondAndHost();
    renameSync(join(path, "_large_files"), join(host, "blobs"));
    symlinkSync(join(host, "blobs"), join(path, "_large_files"));
    oldHostFile(join(host, "blobs", "precious.txt"));

    expect((await failure(maintainOplog(path))).code).toBe("CORRUPT");
    expect(existsSync(join(host, "blobs", "precious.txt"))).toBe(true);

    const fs = await openOplogFs(path);
    const read = await failure(fs.root().readFile("/dir/big.bin"));
    expect(read.code).toBe("CORRUPT");
    expect(read.message).toContain("symbolic link");
    const write = await failure(
      fs.root().writeFile(
        "/dir/new.bin",
        BIG.map((b) => b ^ 1),
      ),
    );
    expect(write.code).toBe("CORRUPT");
    await fs.close();
    expect(readdirSync(join(host, "blobs")).sort()).toEqual(["precious.txt", `sha256=${sha256}`]);
    expect(find((await fsckOplog(path)).problems, "symlink", "_large_files")).toBeDefined();
  });

  it("a partition directory as a link with a crafted remove and a short retention vacuums no host file", async () => {
    const { path, host } = await pondAndHost();
    await maintainOplog(path, { retention: "1s" });
    oldHostFile(join(host, "victim.parquet"));
    symlinkSync(host, join(path, "part_id=evil"));
    // A log entry added by hand: it removes a "data file" of the linked partition, long ago.
    const log = join(path, "_delta_log");
    const newest = Math.max(
      ...readdirSync(log)
        .filter((f) => /^\d{20}\.json$/.test(f))
        .map((f) => Number.parseInt(f, 10)),
    );
    const actions = [
      { commitInfo: { timestamp: old.getTime(), operation: "DELETE" } },
      {
        remove: {
          path: "part_id=evil/victim.parquet",
          deletionTimestamp: old.getTime(),
          dataChange: true,
          partitionValues: { part_id: "evil" },
        },
      },
    ];
    writeFileSync(
      join(log, `${String(newest + 1).padStart(20, "0")}.json`),
      `${actions.map((a) => JSON.stringify(a)).join("\n")}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const error = await failure(maintainOplog(path));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("part_id=evil");
    expect(existsSync(join(host, "victim.parquet"))).toBe(true);
    const { problems } = await fsckOplog(path);
    expect(find(problems, "symlink", "part_id=evil")).toBeDefined();
    expect(find(problems, "bad-log-action", logEntry(newest + 1))?.detail).toBe(
      'removes "part_id=evil/victim.parquet", which no retained version adds',
    );
  });

  it("fsck reports log actions whose paths leave the table, however they are spelled", async () => {
    const { path, host } = await pondAndHost();
    oldHostFile(join(host, "victim.parquet"));
    const log = join(path, "_delta_log");
    const newest = Math.max(
      ...readdirSync(log)
        .filter((f) => /^\d{20}\.json$/.test(f))
        .map((f) => Number.parseInt(f, 10)),
    );
    const paths = [
      "part_id=x/../../outside/victim.parquet",
      "part_id=x/%2E%2E/%2E%2E/outside/victim.parquet",
      join(host, "victim.parquet"),
      `file://${join(host, "victim.parquet")}`,
    ];
    const at = old.getTime();
    const actions = [
      { commitInfo: { timestamp: at, operation: "DELETE" } },
      ...paths.map((p) => ({ remove: { path: p, deletionTimestamp: at, dataChange: true } })),
    ];
    writeFileSync(
      join(log, `${String(newest + 1).padStart(20, "0")}.json`),
      `${actions.map((a) => JSON.stringify(a)).join("\n")}\n`,
    );
    const reported = (await fsckOplog(path)).problems.filter((p) => p.kind === "bad-log-action");
    expect(reported.map((p) => [p.version, p.file])).toEqual(
      paths.map(() => [newest + 1, logEntry(newest + 1)]),
    );
    for (const problem of reported) expect(problem.detail).toMatch(/^removes "/);
    await failure(maintainOplog(path, { retention: "1s" }));
    expect(existsSync(join(host, "victim.parquet"))).toBe(true);
  });

  it("a data file or a partition directory that is a link is CORRUPT to read", async () => {
    const { path, host, dirId } = await pondAndHost();
    const partition = join(path, `part_id=${dirId}`);
    cpSync(partition, join(host, "copy"), { recursive: true });
    rmSync(partition, { recursive: true });
    symlinkSync(join(host, "copy"), partition);
    const fs = await openOplogFs(path);
    expect((await failure(fs.root().readFile("/dir/small.txt"))).message).toContain(
      "symbolic link",
    );
    await fs.close();

    const { path: second, host: host2, dirId: dir2 } = await pondAndHost();
    const partition2 = join(second, `part_id=${dir2}`);
    for (const file of readdirSync(partition2)) {
      renameSync(join(partition2, file), join(host2, file));
      symlinkSync(join(host2, file), join(partition2, file));
    }
    const fs2 = await openOplogFs(second);
    expect((await failure(fs2.root().readFile("/dir/small.txt"))).code).toBe("CORRUPT");
    await fs2.close();
    const problems = (await fsckOplog(second)).problems;
    expect(problems.filter((p) => p.kind === "symlink").length).toBeGreaterThan(0);
  });

  it("a large file that is a link to a host file or to /dev/zero is CORRUPT, never read", async () => {
    const { path, host, sha256 } = await pondAndHost();
    const blob = join(path, "_large_files", `sha256=${sha256}`);
    renameSync(blob, join(host, "same-bytes.bin"));
    symlinkSync(join(host, "same-bytes.bin"), blob);
    const fs = await openOplogFs(path);
    const error = await failure(fs.root().readFile("/dir/big.bin"));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("symbolic link");

    rmSync(blob);
    symlinkSync("/dev/zero", blob);
    expect((await failure(fs.root().readFile("/dir/big.bin"))).code).toBe("CORRUPT");
    const stream = await failure(
      fs
        .root()
        .createReadStream("/dir/big.bin")
        .then(async (s) => {
          for await (const _ of s);
        }),
    );
    expect(stream.code).toBe("CORRUPT");
    await fs.close();
    const problems = (await fsckOplog(path)).problems;
    expect(find(problems, "symlink", `_large_files/sha256=${sha256}`)).toBeDefined();
  });

  it("a directory inside _large_files is left alone by maintain and reported by fsck", async () => {
    const { path } = await pondAndHost();
    const odd = join(path, "_large_files", "sha256=not-a-file");
    mkdirSync(odd);
    writeFileSync(join(odd, "inside"), "kept");
    utimesSync(odd, old, old);
    await maintainOplog(path);
    expect(existsSync(join(odd, "inside"))).toBe(true);
    const problems = (await fsckOplog(path)).problems;
    expect(find(problems, "unexpected-file", "_large_files/sha256=not-a-file")).toBeDefined();
  });

  it("_delta_log as a link is CORRUPT to open", async () => {
    const { path, host } = await pondAndHost();
    renameSync(join(path, "_delta_log"), join(host, "log"));
    symlinkSync(join(host, "log"), join(path, "_delta_log"));
    const error = await failure(openOplogFs(path));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("symbolic link");
  });
});
