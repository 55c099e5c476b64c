import * as arrow from "apache-arrow";
import * as pw from "parquet-wasm";
import { writeFileSync, readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
const N = 1_000_000;
const ts = new BigInt64Array(N); const a = new Float64Array(N), b = new Float64Array(N), c = new Float64Array(N);
const t0 = 1_700_000_000_000n;
for (let i = 0; i < N; i++) { ts[i] = (t0 + BigInt(i) * 1000n) * 1000n; a[i] = Math.random(); b[i] = Math.random()*100; c[i] = -Math.random(); }
const tsType = new arrow.TimestampMicrosecond("UTC");
const table = new arrow.Table({
  timestamp: arrow.makeVector(arrow.makeData({ type: tsType, length: N, data: ts })),
  a: arrow.makeVector(a), b: arrow.makeVector(b), c: arrow.makeVector(c),
});
console.log(table.schema.fields.map(f => `${f.name}:${f.type}`));
let t = performance.now();
const wt = pw.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
const bytes = pw.writeParquet(wt, props);
console.log("write", performance.now() - t, bytes.length);
writeFileSync("/tmp/exp/in.parquet", bytes);
for (const opts of [undefined, { batchSize: 1 << 20 }, { batchSize: 1 << 20, columns: ["timestamp", "a"] }]) {
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    const w = pw.readParquet(bytes, opts);
    const t1 = performance.now();
    const ipc = w.intoIPCStream();
    const t2 = performance.now();
    const tab = arrow.tableFromIPC(ipc);
    const t3 = performance.now();
    console.log(JSON.stringify(opts), "read", (t1 - t).toFixed(1), "ipc", (t2 - t1).toFixed(1), "fromIPC", (t3 - t2).toFixed(1), tab.batches.length, tab.numCols, String(tab.schema.fields[0].type), tab.getChild("timestamp").data[0].values.constructor.name);
  }
}
const s = pw.readSchema(bytes); const st = arrow.tableFromIPC(s.intoIPCStream()); console.log(st.schema.fields.map(f => `${f.name}:${f.type}`), st.numRows);
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
for (let r = 0; r < 3; r++) {
  t = performance.now();
  await con.run(`COPY (SELECT (epoch_ms(timestamp) // 60000) * 60000 AS b, min(a), max(a), avg(a), count(a), min(b), max(b), avg(b), count(b), min(c), max(c), avg(c), count(c) FROM '/tmp/exp/in.parquet' GROUP BY 1 ORDER BY 1) TO '/tmp/exp/out.parquet' (FORMAT parquet)`);
  console.log("duckdb", performance.now() - t);
}
