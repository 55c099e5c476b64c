// pond query and pond cat --sql through the built binary: formats, tables, ranges, errors.

import { readFile, writeFile } from "node:fs/promises";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const sandbox = useSandbox();
const DAY = 86_400_000;

/** /sensors/a/weather: two days of one reading an hour, a version per day; /sensors/b/weather: one. */
async function ponds(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("d1.parquet"), await seriesChunk(0, 24, 3_600_000));
  await writeFile(s.path("d2.parquet"), await seriesChunk(DAY, 24, 3_600_000));
  await s.ok("mkdir", "-p", "/sensors/a", "/sensors/b");
  await s.ok("copy", "--series", "d1.parquet", "/sensors/a/weather");
  await s.ok("copy", "--series", "d2.parquet", "/sensors/a/weather");
  await s.ok("copy", "--series", "d1.parquet", "/sensors/b/weather");
  await writeFile(s.path("notes.txt"), "plain text\n");
  await s.ok("copy", "notes.txt", "/notes.txt");
  return s;
}

describe("pond query", () => {
  it("prints a table, CSV or JSON over every version of a series", async () => {
    const s = await ponds();
    const table = await s.ok(
      "cat",
      "/sensors/a/weather",
      "--sql",
      "SELECT count(*) AS n, max(value) AS top FROM source",
    );
    expect(table.out).toBe(" n  top\n48   23\n(1 row)\n");
    const csv = await s.ok(
      "query",
      "SELECT value, timestamp FROM w ORDER BY timestamp LIMIT 2",
      "--table",
      "w=/sensors/a/weather",
      "--format",
      "csv",
    );
    expect(csv.out).toBe(
      "value,timestamp\n0,1970-01-01T00:00:00.000Z\n1,1970-01-01T01:00:00.000Z\n",
    );
    const json = await s.ok(
      "query",
      "SELECT _path, count(*) AS n FROM w GROUP BY _path ORDER BY _path",
      "-t",
      "w=/sensors/**/weather",
      "--format",
      "json",
    );
    expect(json.json()).toEqual([
      { _path: "/sensors/a/weather", n: 24 + 24 },
      { _path: "/sensors/b/weather", n: 24 },
    ]);
  });

  it("keeps a time range, picks a version and time-travels", async () => {
    const s = await ponds();
    const count = async (...args: string[]) =>
      (
        await s.ok(
          "cat",
          "/sensors/a/weather",
          "--sql",
          "SELECT count(*) AS n FROM source",
          "--format",
          "json",
          ...args,
        )
      ).json<Array<{ n: number }>>()[0]?.n;
    expect(await count("--start", "1970-01-02T00:00:00Z")).toBe(24);
    expect(await count("--start", "1970-01-01T12:00:00Z", "--end", "1970-01-01T18:00:00Z")).toBe(6);
    expect(await count("--version", "1")).toBe(24);
    expect(await count("--at", "2")).toBe(24);
  });

  it("joins two tables and writes Parquet with -o", async () => {
    const s = await ponds();
    await s.ok(
      "query",
      "SELECT a.timestamp, a.value + b.value AS total FROM a JOIN b ON a.timestamp = b.timestamp",
      "--table",
      "a=/sensors/a/weather",
      "--table",
      "b=/sensors/b/weather",
      "--format",
      "parquet",
      "-o",
      "joined.parquet",
    );
    const joined = await readParquet(await readFile(s.path("joined.parquet")));
    expect(joined.numRows).toBe(24);
    await s.ok(
      "cat",
      "/sensors/a/weather",
      "--sql",
      "SELECT timestamp, value FROM source WHERE value < -1e9",
      "--format",
      "parquet",
      "-o",
      "none.parquet",
    );
    const none = await readParquet(await readFile(s.path("none.parquet")));
    expect(none.numRows).toBe(0);
    expect(none.schema.fields.map((f) => f.name)).toEqual(["timestamp", "value"]);
  });

  it("fails with one line for bad SQL, a missing path and a file that is not a table", async () => {
    const s = await ponds();
    const bad = await s.pond("query", "SELEC 1", "--table", "w=/sensors/a/weather");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^pond: EINVAL: .*Line: 1, Column: 1.*\n$/);
    const missing = await s.pond("query", "SELECT 1 FROM w", "--table", "w=/nope");
    expect(missing.err).toMatch(/^pond: ENOENT: /);
    const text = await s.pond("cat", "/notes.txt", "--sql", "SELECT * FROM source");
    expect(text.err).toMatch(/^pond: EINVAL: .*not a Parquet file/);
    const column = await s.pond("cat", "/sensors/a/weather", "--sql", "SELECT nope FROM source");
    expect(column.err).toMatch(/^pond: EINVAL: .*nope/);
    const usage = await s.pond("query", "SELECT 1", "--table", "w");
    expect(usage.code).toBe(2);
  });
});
