// CSV to Parquet: inferred and given types, timestamps, errors with positions, and DuckDB's reading.

import type { Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CsvOptions, csvToParquet } from "./csv-to-parquet.js";
import { parseCsvSchema } from "./csv-types.js";
import { readParquet } from "./parquet-io.js";
import { type Oracle, openOracle } from "./testing/duckdb-oracle.js";

/** Opens `text` as bytes in pieces of `size` (small, so pieces split records and characters). */
function source(text: string | Uint8Array, size = 7): () => AsyncIterable<Uint8Array> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  return async function* () {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function convert(text: string, options: CsvOptions = {}, size = 7) {
  const csv = await csvToParquet(source(text, size), { name: "t.csv", ...options });
  const parquet = await collect(csv.parquet());
  return { csv, parquet, table: await readParquet(parquet) };
}

function column(table: Table, name: string): unknown[] {
  return [...(table.getChild(name)?.toArray() ?? [])].map((v, i) =>
    table.getChild(name)?.isValid(i) ? v : null,
  );
}

async function failure(text: string, options: CsvOptions = {}): Promise<string> {
  const error = await convert(text, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: "EINVAL" });
  return (error as Error).message;
}

describe("csvToParquet infers types", () => {
  it("int64, float64, boolean, timestamp and string; an empty field is null", async () => {
    const { csv, table } = await convert(
      [
        "id,temp,ok,time,site,nothing",
        "1,20.5,true,2024-03-10T12:00:00Z,north,",
        ',-3,FALSE,,"south, east",',
        "3,1e3,,2024-03-10 13:30:00.25+01:00,,",
      ].join("\n"),
    );
    expect(csv.columns).toEqual([
      { name: "id", type: "int64" },
      { name: "temp", type: "float64" },
      { name: "ok", type: "boolean" },
      { name: "time", type: "timestamp[us]" },
      { name: "site", type: "string" },
      { name: "nothing", type: "string" },
    ]);
    expect(csv.rows).toBe(3);
    expect(column(table, "id")).toEqual([1n, null, 3n]);
    expect(column(table, "temp")).toEqual([20.5, -3, 1000]);
    expect(column(table, "ok")).toEqual([true, false, null]);
    expect(column(table, "site")).toEqual(["north", "south, east", null]);
    expect(column(table, "nothing")).toEqual([null, null, null]);
    expect(String(table.getChild("time")?.type)).toBe("Timestamp<MICROSECOND, UTC>");
    const at = Date.UTC(2024, 2, 10, 12) * 1000;
    expect(column(table, "time")).toEqual([BigInt(at), null, BigInt(at + 1_800_000_000 + 250_000)]);
    expect(csv.bounds.get("time")).toEqual({ min: BigInt(at), max: BigInt(at + 1_800_250_000) });
    expect(csv.bounds.get("id")).toEqual({ min: 1n, max: 3n });
  });

  it("writes a header without rows as an empty table of string columns", async () => {
    const { csv, table } = await convert("a,b\n");
    expect(csv.rows).toBe(0);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["a", "Utf8"],
      ["b", "Utf8"],
    ]);
  });

  it("widens a column for a value late in the file rather than losing it", async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i},${i},2024-01-01T00:00:00Z,true`);
    const tail = ["100000,0.5,2024-01-01T00:00:00.123456789Z,maybe"];
    const { csv, table } = await convert(["n,x,t,b", ...rows, ...tail].join("\r\n"), {}, 65_536);
    expect(csv.columns.map((c) => c.type)).toEqual(["int64", "float64", "timestamp[ns]", "string"]);
    expect(table.numRows).toBe(100_001);
    expect(column(table, "x").at(-1)).toBe(0.5);
    expect(column(table, "t").at(-1)).toBe(1_704_067_200_123_456_789n);
    expect(column(table, "b").slice(-2)).toEqual(["true", "maybe"]);
  });

  it("makes row groups of fewer rows for a wide file, so that they take as much memory", async () => {
    const columns = 600;
    const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(",");
    const row = (r: number) => Array.from({ length: columns }, (_, i) => r * columns + i).join(",");
    const lines = [header, ...Array.from({ length: 6000 }, (_, r) => row(r))];
    const { parquet, table } = await convert(`${lines.join("\n")}\n`, {}, 1 << 16);
    expect(table.numRows).toBe(6000);
    expect(column(table, "c599").at(-1)).toBe(BigInt(6000 * columns - 1));
    const { ParquetFile } = await import("parquet-wasm");
    const file = await ParquetFile.fromFile(new Blob([new Uint8Array(parquet)]));
    // 1.5 Mi values per row group: 2,621 rows of 600 columns.
    expect(
      file
        .metadata()
        .rowGroups()
        .map((g) => g.numRows()),
    ).toEqual([2621, 2621, 758]);
    file.free();
  });

  it("reads a leading byte order mark, CRLF and multi-byte characters split across pieces", async () => {
    const { csv, table } = await convert('\uFEFFcity,n\r\n"Zürich\r\nnord",1\r\n東京,2\r\n', {}, 1);
    expect(csv.columns.map((c) => c.name)).toEqual(["city", "n"]);
    expect(column(table, "city")).toEqual(["Zürich\r\nnord", "東京"]);
  });
});

describe("csvToParquet with a schema", () => {
  it("reads integer epochs in the given unit, seconds stored as milliseconds", async () => {
    const text = "s,ms,us,ns\n1700000000,1700000000123,1700000000123456,1700000000123456789\n";
    const schema = parseCsvSchema(
      "s:timestamp[s], ms:timestamp[ms], us:timestamp[us], ns:timestamp[ns]",
    );
    const { csv, table } = await convert(text, { schema });
    expect(csv.columns.map((c) => c.type)).toEqual([
      "timestamp[ms]",
      "timestamp[ms]",
      "timestamp[us]",
      "timestamp[ns]",
    ]);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      "Timestamp<MILLISECOND, UTC>",
      "Timestamp<MILLISECOND, UTC>",
      "Timestamp<MICROSECOND, UTC>",
      "Timestamp<NANOSECOND, UTC>",
    ]);
    expect(table.schema.fields.map((f) => column(table, f.name)[0])).toEqual([
      1_700_000_000_000n,
      1_700_000_000_123n,
      1_700_000_000_123_456n,
      1_700_000_000_123_456_789n,
    ]);
    expect(csv.bounds.get("s")).toEqual({ min: 1_700_000_000_000n, max: 1_700_000_000_000n });
  });

  it("takes ISO times in a timestamp column of any unit, and keeps the other columns inferred", async () => {
    const { csv, table } = await convert("t,v\n2024-01-01T01:00:00+01:00,7\n", {
      schema: { t: "timestamp[s]" },
    });
    expect(csv.columns).toEqual([
      { name: "t", type: "timestamp[ms]" },
      { name: "v", type: "int64" },
    ]);
    expect(column(table, "t")).toEqual([1_704_067_200_000n]);
  });

  it("forces a type: digits as strings, integers as floats", async () => {
    const { table } = await convert("zip,x\n01234,1\n", {
      schema: { zip: "string", x: "float64" },
    });
    expect(column(table, "zip")).toEqual(["01234"]);
    expect(column(table, "x")).toEqual([1]);
  });

  it("parses the schema syntax, and refuses what it cannot read", () => {
    expect(parseCsvSchema("time:timestamp,temp:double, ok:bool ,a:b:string")).toEqual({
      time: "timestamp[us]",
      temp: "float64",
      ok: "boolean",
      "a:b": "string",
    });
    expect(() => parseCsvSchema("temp")).toThrow(/schema item "temp" is not NAME:TYPE/);
    expect(() => parseCsvSchema("t:date")).toThrow(/unknown type "date" for column "t"/);
    expect(() => parseCsvSchema("t:int64,t:string")).toThrow(/column "t" is given twice/);
  });
});

describe("csvToParquet refuses bad text with its position", () => {
  it("names the file, line, column, column name and value of a value that does not fit", async () => {
    const schema = { temp: "float64", n: "int64", t: "timestamp[ms]", ok: "boolean" } as const;
    const head = "n,temp,t,ok\n1,2.5,2024-01-01T00:00:00Z,true\n";
    expect(await failure(`${head}2,warm,,\n`, { schema })).toBe(
      'EINVAL: t.csv:3:3: column "temp": "warm" is not a number',
    );
    expect(await failure(`${head}99999999999999999999,1,,\n`, { schema })).toBe(
      'EINVAL: t.csv:3:1: column "n": "99999999999999999999" is not a 64-bit integer',
    );
    expect(await failure(`${head}3,1,2024-01-01T00:00:00.0001Z,\n`, { schema })).toBe(
      'EINVAL: t.csv:3:5: column "t": "2024-01-01T00:00:00.0001Z" is finer than timestamp[ms]',
    );
    expect(await failure(`${head}3,1,2024-02-30,\n`, { schema })).toBe(
      'EINVAL: t.csv:3:5: column "t": "2024-02-30" is neither ISO 8601 nor an integer epoch in ms',
    );
    expect(await failure(`${head}3,1,,yes\n`, { schema })).toBe(
      'EINVAL: t.csv:3:6: column "ok": "yes" is not true or false',
    );
    const long = "x".repeat(100);
    expect(await failure(`${head}3,"${long}",,\n`, { schema })).toBe(
      `EINVAL: t.csv:3:3: column "temp": "${"x".repeat(40)}…" is not a number`,
    );
  });

  it("refuses a row with another number of fields than the header", async () => {
    expect(await failure("a,b\n1,2\n3\n")).toBe(
      "EINVAL: t.csv:3:1: 1 fields where the header has 2",
    );
    expect(await failure("a,b\n1,2,3\n")).toBe(
      "EINVAL: t.csv:2:5: 3 fields where the header has 2",
    );
  });

  it("needs a header naming every column once, and every schema column in it", async () => {
    expect(await failure("")).toBe(
      "EINVAL: t.csv: empty: a header row naming the columns is needed",
    );
    expect(await failure("a,,c\n")).toBe("EINVAL: t.csv:1:3: column 2 of the header has no name");
    expect(await failure("\na,a\n")).toBe(
      'EINVAL: t.csv:2:3: column "a" is named twice in the header',
    );
    expect(await failure("a\n1\n", { schema: { b: "int64" } })).toBe(
      'EINVAL: t.csv: the schema names column "b", which the header (a) lacks',
    );
  });

  it("refuses bytes that are not UTF-8", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("a\nx"), 0xff, 0x0a]);
    const error = await csvToParquet(source(bytes), { name: "t.csv" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "EINVAL",
      message: "EINVAL: t.csv: not UTF-8 text (after byte 0)",
    });
  });

  it("fails the Parquet stream when the file changed after it was read", async () => {
    let reads = 0;
    const changing = () => source(reads++ === 0 ? "a\n1\n2\n" : "a\n1\n")();
    const csv = await csvToParquet(changing, { name: "t.csv" });
    await expect(collect(csv.parquet())).rejects.toMatchObject({
      code: "EINVAL",
      message: "EINVAL: t.csv: the file changed while it was read; nothing was written",
    });
  });
});

describe("csvToParquet agrees with DuckDB's read_csv", () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await openOracle();
    await oracle.query("SET TimeZone = 'UTC'");
  });
  afterAll(() => oracle.close());

  it("on the same file: types and every value, quoted text and offsets included", async () => {
    const words = ["plain", "with, comma", 'say "hi"', "two\nlines", "naïve", ""];
    const lines = ["id,site,temp,ok,time,count"];
    for (let i = 0; i < 70_000; i++) {
      const word = words[i % words.length] as string;
      const site = /[",\n]/.test(word) ? `"${word.replaceAll('"', '""')}"` : word;
      const temp = i % 11 === 0 ? "" : ((i * 7919) % 10_007) / 8;
      const ok = i % 3 === 0 ? "true" : i % 3 === 1 ? "false" : "";
      const offset = ["Z", "+01:00", "-05:30", "+0200"][i % 4];
      const minute = String(i % 60).padStart(2, "0");
      const time = `2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:${minute}:07.${String(i % 1000).padStart(3, "0")}${offset}`;
      lines.push(`${i},${site},${temp},${ok},${time},${i % 5 === 0 ? "" : i * 1000}`);
    }
    const text = `${lines.join("\n")}\n`;
    const { parquet, csv } = await convert(text, {}, 1 << 16);
    expect(csv.columns.map((c) => c.type)).toEqual([
      "int64",
      "string",
      "float64",
      "boolean",
      "timestamp[us]",
      "int64",
    ]);
    const p = oracle.file("t.parquet", parquet);
    const c = oracle.file("t.csv", new TextEncoder().encode(text));
    const csvSql = `read_csv('${c}', header = true, quote = '"', escape = '"', delim = ',')`;
    const types = async (from: string) =>
      (await oracle.query(`DESCRIBE SELECT * FROM ${from}`)).map((r) => r.column_type);
    expect(await types(`read_parquet('${p}')`)).toEqual(await types(csvSql));
    const missing = async (a: string, b: string) =>
      (
        await oracle.query(
          `SELECT count(*)::INT AS n FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`,
        )
      )[0]?.n;
    expect(await missing(`read_parquet('${p}')`, csvSql)).toBe(0);
    expect(await missing(csvSql, `read_parquet('${p}')`)).toBe(0);
    expect((await oracle.query(`SELECT count(*)::INT AS n FROM read_parquet('${p}')`))[0]?.n).toBe(
      70_000,
    );
  });
});
