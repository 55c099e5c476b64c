// Micro-measurement of the native addon (not a test, not a benchmark with a baseline): latency of
// 200 sequential single-row commits, and of scanning one partition made of 200 files; update after
// a foreign commit; compaction of a 2,000-commit table (time, files and bytes, scans before and
// after); the directory-record codec against apache-arrow in JS.
// Run after `pnpm build:native`: node scripts/bench-native.mjs [commits] [compaction commits]
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
  Uint32,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { decodeDirectoryRecords, encodeDirectoryRecords, NativeTable } from "../native/index.js";

const commits = Number(process.argv[2] ?? 200);
const compactionCommits = Number(process.argv[3] ?? 2000);

let seed = 42;
/** CSV-like text of `size` bytes: compressible about as much as a pond's small data files. */
function text(size) {
  let out = "";
  while (out.length < size) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out += `2024-01-01T00:${String(seed % 60).padStart(2, "0")},${(seed % 100000) / 100}\n`;
  }
  return new TextEncoder().encode(out.slice(0, size));
}

/** Op-log rows `{ partId, nodeId, version, size }` as the IPC stream commit takes. */
function rows(list, txn) {
  const n = list.length;
  return tableToIPC(
    new Table({
      part_id: vectorFromArray(
        list.map((r) => r.partId),
        new Utf8(),
      ),
      node_id: vectorFromArray(
        list.map((r) => r.nodeId),
        new Utf8(),
      ),
      entry_type: vectorFromArray(Array(n).fill("file:data"), new Utf8()),
      version: vectorFromArray(
        list.map((r) => BigInt(r.version ?? 1)),
        new Int64(),
      ),
      txn_seq: vectorFromArray(Array(n).fill(BigInt(txn)), new Int64()),
      timestamp: vectorFromArray(Array(n).fill(Date.now()), new TimestampMicrosecond("UTC")),
      content: vectorFromArray(
        list.map((r) => text(r.size ?? 100)),
        new Binary(),
      ),
      content_ref: vectorFromArray(Array(n).fill(null), new Utf8()),
      size: vectorFromArray(
        list.map((r) => BigInt(r.size ?? 100)),
        new Int64(),
      ),
      sha256: vectorFromArray(Array(n).fill("ab".repeat(32)), new Utf8()),
      min_event_time: vectorFromArray(Array(n).fill(null), new Int64()),
      max_event_time: vectorFromArray(Array(n).fill(null), new Int64()),
      attrs: vectorFromArray(Array(n).fill(null), new Utf8()),
    }),
    "stream",
  );
}

function row(partId, nodeId, txn) {
  return rows([{ partId, nodeId }], txn);
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

  const other = await NativeTable.open(dir);
  await other.scanPartition("p");
  const updateMs = [];
  for (let v = commits + 1; v <= commits + 20; v++) {
    await table.commit(row("p", `node-${v}`, v), v, JSON.stringify({ message: `commit ${v}` }));
    const t1 = performance.now();
    await other.update();
    updateMs.push(performance.now() - t1);
  }
  summary(`update after one foreign commit (file index kept)`, updateMs);
  other.close();
  table.close();
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const totals = (stats) =>
  stats.reduce(
    (t, s) => ({
      files: t.files + s.files,
      bytes: t.bytes + s.bytes,
      rows: t.rows + (s.rows ?? 0),
    }),
    { files: 0, bytes: 0, rows: 0 },
  );

/** Scans one partition and one node of it 20 times each; row-group counts of the node lookups. */
async function scans(table, label, partId, nodeId) {
  const fullMs = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await table.scanPartition(partId);
    fullMs.push(performance.now() - t0);
  }
  summary(`${label}: scan partition ${partId}`, fullMs);
  const before = table.scanStats();
  const nodeMs = [];
  let found = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    found = tableFromIPC(await table.scanPartition(partId, nodeId)).numRows;
    nodeMs.push(performance.now() - t0);
  }
  const after = table.scanStats();
  summary(`${label}: scan node ${nodeId} of ${partId} (${found} versions)`, nodeMs);
  const per = (k) => ((after[k] - before[k]) / 20).toFixed(1);
  console.log(
    `  per node lookup: files read ${per("filesRead")}, skipped ${per("filesSkipped")}; row groups read ${per("rowGroupsRead")}, skipped ${per("rowGroupsSkipped")}`,
  );
}

// Compaction of a long-lived pond: each commit adds a version of one of 40 files of a directory
// (its own partition, 10 directories), the directory's record (its parent's partition), and 20
// new small files to a log directory (a partition that grows to 40,000 rows).
const aged = mkdtempSync(join(tmpdir(), "pond-bench-compact-"));
try {
  const table = await NativeTable.create(aged, { "pond.format": "1" });
  const versions = new Map();
  const t0 = performance.now();
  for (let v = 1; v <= compactionCommits; v++) {
    const dirId = `dir-${String(v % 10).padStart(2, "0")}`;
    const nodeId = `${dirId}-file-${String(Math.floor(v / 10) % 40).padStart(2, "0")}`;
    const version = (versions.get(nodeId) ?? 0) + 1;
    versions.set(nodeId, version);
    await table.commit(
      rows(
        [
          { partId: dirId, nodeId, version, size: 200 + ((v * 97) % 2000) },
          { partId: "root", nodeId: dirId, version: v, size: 120 },
          ...Array.from({ length: 20 }, (_, i) => ({
            partId: "logs",
            nodeId: `log-${String(v).padStart(5, "0")}-${i}`,
            size: 60 + ((v * 7 + i * 13) % 400),
          })),
        ],
        v,
      ),
      v,
      JSON.stringify({ message: `commit ${v}` }),
    );
  }
  console.log(
    `\ncompaction table: ${compactionCommits} commits written in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );
  const before = totals(await table.partitionStats());
  console.log(`before: ${before.files} files, ${mb(before.bytes)}, ${before.rows} rows`);
  await scans(table, "before", "dir-03", "dir-03-file-07");
  await scans(table, "before", "root", "dir-03");
  await scans(table, "before", "logs", "log-01234-5");

  const t1 = performance.now();
  const result = await table.compact(table.version() + 1);
  const compactMs = performance.now() - t1;
  const after = totals(await table.partitionStats());
  console.log(
    `compact: ${compactMs.toFixed(0)}ms, ${result.partitions} partitions, ${result.filesRemoved} files (${mb(result.bytesRemoved)}) -> ${result.filesAdded} files (${mb(result.bytesAdded)}), ${result.rows} rows`,
  );
  console.log(`after: ${after.files} files, ${mb(after.bytes)}, ${after.rows} rows`);
  await scans(table, "after", "dir-03", "dir-03-file-07");
  await scans(table, "after", "root", "dir-03");
  await scans(table, "after", "logs", "log-01234-5");
  const reopened = await NativeTable.open(aged);
  const t2 = performance.now();
  await reopened.scanPartition("root", "dir-03");
  console.log(`after, reopened: first node lookup ${(performance.now() - t2).toFixed(2)}ms`);
  reopened.close();
  table.close();
} finally {
  if (!process.env.KEEP) rmSync(aged, { recursive: true, force: true });
  else console.log(aged);
}

// Directory records: 1,000 contents of 1–8 entries, decoded and encoded per record with
// apache-arrow (what directory-record.ts does) and all at once natively.
{
  const records = Array.from({ length: 1000 }, (_, r) =>
    Array.from({ length: 1 + (r % 8) }, (_, i) => ({
      name: `file-${r}-${i}.parquet`,
      child_node_id:
        i % 5 === 4
          ? null
          : `0190b6a4-${String(r).padStart(4, "0")}-7000-8000-${String(i).padStart(12, "0")}`,
      child_part_id: i % 5 === 4 ? null : "0190b6a4-0000-7000-8000-000000000000",
      child_entry_type: i % 5 === 4 ? null : "file:data",
      op: i % 5 === 4 ? "delete" : "insert",
    })),
  );
  const columns = ["name", "child_node_id", "child_part_id", "child_entry_type", "op"];
  const encodeJs = (entries) =>
    tableToIPC(
      new Table(
        Object.fromEntries(
          columns.map((c) => [
            c,
            vectorFromArray(
              entries.map((e) => e[c]),
              new Utf8(),
            ),
          ]),
        ),
      ),
      "stream",
    );
  const contents = records.map(encodeJs);
  const decodeJs = (content) => {
    const table = tableFromIPC(content);
    const cols = columns.map((c) => table.getChild(c));
    const out = [];
    for (let i = 0; i < table.numRows; i++) out.push(cols.map((col) => col.get(i)));
    return out;
  };
  const decodeNative = (list) => {
    const table = tableFromIPC(decodeDirectoryRecords(list));
    const cols = ["record", ...columns].map((c) => table.getChild(c));
    const out = [];
    for (let i = 0; i < table.numRows; i++) out.push(cols.map((col) => col.get(i)));
    return out;
  };
  const flat = records.flatMap((entries, record) => entries.map((e) => ({ record, ...e })));
  const encodeNative = () =>
    encodeDirectoryRecords(
      tableToIPC(
        new Table({
          record: vectorFromArray(
            flat.map((e) => e.record),
            new Uint32(),
          ),
          ...Object.fromEntries(
            columns.map((c) => [
              c,
              vectorFromArray(
                flat.map((e) => e[c]),
                new Utf8(),
              ),
            ]),
          ),
        }),
        "stream",
      ),
    );
  const perRecord = (label, fn) => {
    for (let i = 0; i < 3; i++) fn();
    const ms = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      fn();
      ms.push(((performance.now() - t0) * 1000) / records.length);
    }
    const sorted = ms.sort((a, b) => a - b);
    console.log(`${label}: ${sorted[5].toFixed(1)}us per record (median of 10 runs)`);
    return sorted[5];
  };
  console.log(`\ndirectory records: ${records.length} records, ${flat.length} entries`);
  const jsDecode = perRecord("decode, apache-arrow per record", () => contents.map(decodeJs));
  const nativeDecode = perRecord("decode, native all at once + one tableFromIPC", () =>
    decodeNative(contents),
  );
  perRecord("decode, native call alone", () => decodeDirectoryRecords(contents));
  const jsEncode = perRecord("encode, apache-arrow per record", () => records.map(encodeJs));
  const nativeEncode = perRecord("encode, one tableToIPC + native", encodeNative);
  console.log(
    `ratio JS/native: decode ${(jsDecode / nativeDecode).toFixed(1)}x, encode ${(jsEncode / nativeEncode).toFixed(1)}x`,
  );
}
