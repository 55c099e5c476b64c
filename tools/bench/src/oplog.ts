// bench:oplog — the Delta op-log backend against git, each phase measured in the same run.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOplogFs, openOplogFs } from "@pond/persistence-oplog";
import { medianTime, percentile, printTable, type Row, time } from "./harness.js";
import { importTree, makeHostTree } from "./host-tree.js";
import { processCost } from "./process-cost.js";

const DIRS = 100;
const FILES = 100;
const COMMITS = 1000;
const scratch = mkdtempSync(join(tmpdir(), "pond-bench-oplog-"));

// gc.auto=0: git's automatic gc would run detached after a commit, racing the clean-up and
// taking CPU from the next measurement.
function git(cwd: string, ...args: string[]): void {
  const config = ["-c", "user.name=bench", "-c", "user.email=bench@pond", "-c", "gc.auto=0"];
  execFileSync("git", [...config, ...args], {
    cwd,
    stdio: "ignore",
  });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const tree = makeHostTree(scratch, DIRS, FILES);

  // (1) Import a tree in one transaction, against git init + add + commit of the same tree:
  // with git's defaults (it does not fsync objects) and with core.fsync=all (as durable as pond).
  const pondImport = await time(() => importTree(tree, join(scratch, "import-pond")));
  const gitImportWith = async (...config: string[]) => {
    const took = await time(() => {
      git(tree, "init", "-q");
      git(tree, ...config, "add", "-A");
      git(tree, ...config, "commit", "-q", "-m", "import");
    });
    rmSync(join(tree, ".git"), { recursive: true, force: true });
    return took;
  };
  const gitImport = await gitImportWith();
  const gitDurableImport = await gitImportWith("-c", "core.fsync=all");
  rows.push({
    name: `import ${DIRS * FILES} × 1 KiB unique files, one commit (vs git)`,
    pond: pondImport,
    baseline: gitImport,
    unit: "ms",
    goal: 0.2,
  });
  rows.push({
    name: "the same import (vs git with core.fsync=all)",
    pond: pondImport,
    baseline: gitDurableImport,
    unit: "ms",
  });

  // The same import as people run it, `pond init` and `pond copy -r`: Node's start-up included.
  const bin = fileURLToPath(new URL("bin.js", import.meta.resolve("@pond/cli")));
  const pondCommand = (...args: string[]) =>
    execFileSync(process.execPath, [bin, ...args], {
      env: { ...process.env, POND: join(scratch, "cli-pond") },
      stdio: "ignore",
    });
  rows.push({
    name: "the same with the pond command: init + copy -r",
    pond: await time(() => {
      pondCommand("init");
      pondCommand("copy", "-r", `${tree}/.`, "/");
    }),
    baseline: gitImport,
    unit: "ms",
  });

  // (4) Peak RSS of the same import, each in a process of its own.
  const pondRss = processCost(process.execPath, [
    "--import",
    "tsx",
    new URL(import.meta.url).pathname,
    "import-worker",
    tree,
    join(scratch, "rss-pond"),
  ]).peakMiB;
  const gitRss = processCost("sh", [
    "-c",
    `cd '${tree}' && git init -q && git add -A && git -c user.name=b -c user.email=b@p commit -q -m import`,
  ]).peakMiB;
  rows.push({ name: "peak RSS of the import", pond: pondRss, baseline: gitRss, unit: "MiB" });

  // (2) 1,000 transactions of one small file each, against 1,000 git commits of one file each.
  const pondPath = join(scratch, "commits-pond");
  const fs = await createOplogFs(pondPath);
  await fs.root().createDirPath("/a/b/c/d/e", { recursive: true });
  await fs.root().writeFile("/a/b/c/d/e/target.txt", "the file read in phase 3");
  await fs.root().createDirPath("/commits");
  const latencies: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    latencies.push(await time(() => fs.root().writeFile(`/commits/f${i}.txt`, `commit ${i}`)));
  }
  await fs.close();
  const repo = join(scratch, "commits-git");
  mkdirSync(repo);
  git(repo, "init", "-q");
  const gitLatencies: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    writeFileSync(join(repo, `f${i}.txt`), `commit ${i}`);
    gitLatencies.push(
      await time(() => {
        git(repo, "add", `f${i}.txt`);
        git(repo, "commit", "-q", "-m", `commit ${i}`);
      }),
    );
  }
  rows.push({
    name: `commit latency, median of ${COMMITS}`,
    pond: percentile(latencies, 0.5),
    baseline: percentile(gitLatencies, 0.5),
    unit: "ms",
    atMost: 3,
  });
  rows.push({
    name: `commit latency, p99 of ${COMMITS}`,
    pond: percentile(latencies, 0.99),
    baseline: percentile(gitLatencies, 0.99),
    unit: "ms",
    atMost: 10,
  });

  // (3) Open and read a file at depth 5 after 1,000 commits, against the same after 10.
  const smallPath = join(scratch, "small-pond");
  const small = await createOplogFs(smallPath);
  await small.root().createDirPath("/a/b/c/d/e", { recursive: true });
  await small.root().writeFile("/a/b/c/d/e/target.txt", "the file read in phase 3");
  await small.root().createDirPath("/commits");
  for (let i = 0; i < 7; i++) await small.root().writeFile(`/commits/f${i}.txt`, `commit ${i}`);
  await small.close();
  const openAndRead = (path: string) => async () => {
    const pond = await openOplogFs(path, { readOnly: true });
    await pond.root().readFile("/a/b/c/d/e/target.txt");
    await pond.close();
  };
  const samples = (fn: () => Promise<void>) =>
    Promise.all([]).then(async () => {
      const out: number[] = [];
      for (let i = 0; i < 15; i++) out.push(await time(fn));
      return percentile(out, 0.5);
    });
  const history = (await (await openOplogFs(smallPath)).history()).length;
  rows.push({
    name: `open + read at depth 5 after ${COMMITS} commits (vs ${history - 1})`,
    pond: await samples(openAndRead(pondPath)),
    baseline: await samples(openAndRead(smallPath)),
    unit: "ms",
    goal: 3,
  });

  // (5) `pond ls` of the small pond as a fresh process, against starting Node and doing nothing.
  const run =
    (...args: string[]) =>
    () =>
      execFileSync(process.execPath, args, { stdio: "ignore" });
  rows.push({
    name: "pond ls of a small pond, a fresh process (vs node -e 0)",
    pond: await medianTime(15, run(bin, "--pond", smallPath, "ls", "/")),
    baseline: await medianTime(15, run("-e", "0")),
    unit: "ms",
    goal: 1.5,
  });

  printTable(
    "bench:oplog — pond on a Delta table (baseline: git, pond itself for the open, node for ls)",
    "baseline",
    rows,
  );
  rmSync(scratch, { recursive: true, force: true });
}

if (process.argv[2] === "import-worker") {
  await importTree(process.argv[3] as string, process.argv[4] as string);
  rmSync(scratch, { recursive: true });
} else {
  await main();
}
