// bench:remote — ponds in and copies on an S3-compatible server (SeaweedFS, started here),
// against the same work on local disk and the AWS CLI's `s3 sync` of the same files, in one run.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deltalakePython, startS3Server } from "@pond/delta-python";
import {
  clonePond,
  copyPond,
  createOplogFs,
  maintainOplog,
  openOplogFs,
} from "@pond/persistence-oplog";
import { percentile, printTable, type Row, time } from "./harness.js";
import { importTree, makeHostTree } from "./host-tree.js";

const COMMITS = 200;
const LIVE_COMMITS = 1000;
const DIRS = 100;
const FILES = 100;
const VENV = fileURLToPath(new URL("../.venv", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "pond-bench-remote-"));

/** The AWS CLI from PyPI in the bench's venv: what people run to copy a tree of objects. */
function awsCli(): string {
  const aws = join(dirname(deltalakePython(VENV)), "aws");
  try {
    execFileSync(aws, ["--version"], { stdio: "ignore" });
  } catch {
    execFileSync(deltalakePython(VENV), ["-m", "pip", "install", "--quiet", "awscli"], {
      stdio: "inherit",
    });
  }
  return aws;
}

async function main(): Promise<void> {
  const aws = awsCli();
  const server = await startS3Server(VENV, "bench");
  const options = { storageOptions: server.storageOptions };
  const awsEnv = { ...process.env, ...server.env };
  const s3 = (...args: string[]) =>
    execFileSync(aws, ["--endpoint-url", server.endpoint, "s3", ...args], {
      env: awsEnv,
      stdio: "ignore",
    });
  const rows: Row[] = [];
  try {
    // Commit, then push that one version, against the local commit alone.
    const pond = join(scratch, "commits");
    const fs = await createOplogFs(pond);
    await copyPond(pond, "s3://bench/commits", options);
    const local: number[] = [];
    const pushed: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const commit = await time(() => fs.root().writeFile(`/r${i % 50}.csv`, `reading ${i}\n`));
      local.push(commit);
      pushed.push(commit + (await time(() => copyPond(pond, "s3://bench/commits", options))));
    }
    await fs.close();
    for (const [p, name] of [
      [0.5, "median"],
      [0.99, "p99"],
    ] as const) {
      rows.push({
        name: `commit + push one version, ${name} (${COMMITS} versions)`,
        pond: percentile(pushed, p),
        baseline: percentile(local, p),
        unit: "ms",
        goal: 3,
      });
    }
    // Commits to a pond kept in the bucket itself, against the same commits on local disk.
    const inBucket = await createOplogFs("s3://bench/live", options);
    const onDisk = await createOplogFs(join(scratch, "live"));
    const bucketCommits: number[] = [];
    const diskCommits: number[] = [];
    for (let i = 0; i < LIVE_COMMITS; i++) {
      const content = `reading ${i}\n`;
      bucketCommits.push(await time(() => inBucket.root().writeFile(`/r${i % 50}.csv`, content)));
      diskCommits.push(await time(() => onDisk.root().writeFile(`/r${i % 50}.csv`, content)));
    }
    await inBucket.close();
    await onDisk.close();
    for (const [p, name] of [
      [0.5, "median"],
      [0.99, "p99"],
    ] as const) {
      rows.push({
        name: `commit to a pond in the bucket, ${name} (${LIVE_COMMITS} versions)`,
        pond: percentile(bucketCommits, p),
        baseline: percentile(diskCommits, p),
        unit: "ms",
        goal: 3,
      });
    }
    const open = async (place: string, opts = {}) => {
      const fs = await openOplogFs(place, opts);
      await fs.root().readFile("/r0.csv");
      await fs.close();
    };
    const openAndCount = async (commits: number, label: string) => {
      const before = await server.requests("bench");
      const openBucket = await time(() => open("s3://bench/live", options));
      const after = await server.requests("bench");
      const requests = Object.keys(after).reduce(
        (n, k) => n + (after[k] ?? 0) - (before[k] ?? 0),
        0,
      );
      rows.push({
        name: `open + read after ${commits} commits${label} (${requests} S3 requests; goal 12)`,
        pond: openBucket,
        baseline: await time(() => open(join(scratch, "live"))),
        unit: "ms",
      });
    };
    await openAndCount(LIVE_COMMITS, ", at a checkpoint");
    // Between checkpoints each log entry after the last one is a request of its own.
    const LATE_COMMITS = 9;
    for (const [place, opts] of [
      ["s3://bench/live", options],
      [join(scratch, "live"), {}],
    ] as const) {
      const fs = await openOplogFs(place, opts);
      for (let i = LIVE_COMMITS; i < LIVE_COMMITS + LATE_COMMITS; i++) {
        await fs.root().writeFile(`/r${i % 50}.csv`, `reading ${i}\n`);
      }
      await fs.close();
    }
    const total = LIVE_COMMITS + LATE_COMMITS;
    await openAndCount(total, `, ${LATE_COMMITS} log entries after the checkpoint`);
    const maintainBucket = await time(() => maintainOplog("s3://bench/live", options));
    const maintainDisk = await time(() => maintainOplog(join(scratch, "live")));
    rows.push({
      name: `maintain (compaction, checkpoint) after ${total} commits`,
      pond: maintainBucket,
      baseline: maintainDisk,
      unit: "ms",
    });
    await openAndCount(total, " and maintain");

    // A 10,000-file pond copied to the bucket and back, against the same files as objects.
    const tree = makeHostTree(scratch, DIRS, FILES);
    const files = join(scratch, "files");
    await importTree(tree, files);
    const pushTree = await time(() => copyPond(files, "s3://bench/files", options));
    const syncUp = await time(() => s3("sync", tree, "s3://bench/tree"));
    rows.push({
      name: `push of a ${DIRS * FILES}-file pond (aws s3 sync of the files)`,
      pond: pushTree,
      baseline: syncUp,
      unit: "ms",
      goal: 1,
    });
    const cloneTree = await time(() =>
      clonePond("s3://bench/files", join(scratch, "files-clone"), options),
    );
    const syncDown = await time(() => s3("sync", "s3://bench/tree", join(scratch, "tree-copy")));
    rows.push({
      name: `clone of a ${DIRS * FILES}-file pond (aws s3 sync of the files)`,
      pond: cloneTree,
      baseline: syncDown,
      unit: "ms",
      goal: 1,
    });
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  printTable(
    "bench:remote — ponds in and copies on SeaweedFS S3 (baselines: local disk; the AWS CLI's s3 sync)",
    "baseline",
    rows,
  );
}

await main();
