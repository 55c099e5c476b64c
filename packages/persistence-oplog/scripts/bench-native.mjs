// Micro-measurement of the native addon (not a test, not a benchmark with a baseline): latency of
// 200 sequential single-row commits, and of scanning one partition made of 200 files.
// Run after `pnpm build:native`: node scripts/bench-native.mjs [commits]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Binary,
  Int64,
  Table,
  TimestampMicrosecond,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { NativeTable } from "../native/index.js";

const commits = Number(process.argv[2] ?? 200);

function row(partId, nodeId, txn) {
  return tableToIPC(
    new Table({
      part_id: vectorFromArray([partId], new Utf8()),
      node_id: vectorFromArray([nodeId], new Utf8()),
      entry_type: vectorFromArray(["file:data"], new Utf8()),
      version: vectorFromArray([1n], new Int64()),
      txn_seq: vectorFromArray([BigInt(txn)], new Int64()),
      timestamp: vectorFromArray([Date.now()], new TimestampMicrosecond("UTC")),
      content: vectorFromArray([new Uint8Array(100).fill(7)], new Binary()),
      content_ref: vectorFromArray([null], new Utf8()),
      size: vectorFromArray([100n], new Int64()),
      sha256: vectorFromArray(["ab".repeat(32)], new Utf8()),
      min_event_time: vectorFromArray([null], new Int64()),
      max_event_time: vectorFromArray([null], new Int64()),
      attrs: vectorFromArray([null], new Utf8()),
    }),
    "stream",
  );
}

function summary(label, ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  console.log(
    `${label}: n=${ms.length} mean=${mean.toFixed(2)}ms p50=${at(0.5).toFixed(2)}ms p95=${at(0.95).toFixed(2)}ms max=${sorted.at(-1).toFixed(2)}ms`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "pond-bench-"));
try {
  const table = await NativeTable.create(dir, { "pond.format": "1" });
  const commitMs = [];
  for (let v = 1; v <= commits; v++) {
    const bytes = row("p", `node-${String(v).padStart(4, "0")}`, v);
    const t0 = performance.now();
    await table.commit(bytes, v, JSON.stringify({ message: `commit ${v}` }));
    commitMs.push(performance.now() - t0);
  }
  summary(`commit (1 row, checkpoint every 100)`, commitMs);

  const scanMs = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const rows = tableFromIPC(await table.scanPartition("p"));
    scanMs.push(performance.now() - t0);
    if (rows.numRows !== commits) throw new Error(`scan returned ${rows.numRows} rows`);
  }
  summary(`scan partition of ${commits} files (same handle)`, scanMs);

  const nodeMs = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const rows = tableFromIPC(
      await table.scanPartition("p", `node-${String(i + 1).padStart(4, "0")}`),
    );
    nodeMs.push(performance.now() - t0);
    if (rows.numRows !== 1) throw new Error(`node scan returned ${rows.numRows} rows`);
  }
  summary(`scan partition of ${commits} files for one node_id (stats skip)`, nodeMs);

  const openMs = [];
  const coldMs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const reopened = await NativeTable.open(dir);
    const t1 = performance.now();
    await reopened.scanPartition("p");
    coldMs.push(performance.now() - t1);
    openMs.push(t1 - t0);
    reopened.close();
  }
  summary(`open at version ${commits}`, openMs);
  summary(`first scan after open (builds the file index)`, coldMs);

  const t0 = performance.now();
  const history = JSON.parse(await table.history());
  summary(`history of ${history.length} versions`, [performance.now() - t0]);
  table.close();
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}
