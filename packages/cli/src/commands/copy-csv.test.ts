// pond copy --format csv through the built binary: tables, series, compressed files, bad input,
// and the peak memory of a large file.

import { once } from "node:events";
import { createWriteStream, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { type Sandbox, spawnPond, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

const READINGS = [
  "time,temp,site",
  '2024-01-01T00:00:00Z,1.5,"north, upper"',
  "2024-01-01T01:00:00+01:00,2,south",
  "",
].join("\n");

/** READINGS compressed by the zstd command (level 19), so that real compressed blocks are read. */
const READINGS_ZST =
  "KLUv/SRZLQIAwoMNEpDPAQKGoVZjHn+FKNKcd/06AaB1jfTmg8VkUtbw1jNCcVT4K+0qXsJLjlkDWDt6+VifPdcBBAAsQsBwLXUsL+cE+K+iPg==";

/**
 * `text` as Zstandard frames of raw (stored) blocks, `blockBytes` each, a frame per `frameBytes`:
 * a stream whose frames and blocks cross the pieces the file is read in.
 */
function zstdStored(text: string, blockBytes: number, frameBytes: number): Buffer {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let frame = 0; frame < bytes.length; frame += frameBytes) {
    // Magic; a frame header without content size or checksum; a window of 2 MiB.
    parts.push(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]));
    const end = Math.min(bytes.length, frame + frameBytes);
    for (let at = frame; at < end; at += blockBytes) {
      const size = Math.min(blockBytes, end - at);
      const last = at + size >= end ? 1 : 0;
      const header = (size << 3) | last; // block type 0: raw
      parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]));
      parts.push(bytes.subarray(at, at + size));
    }
  }
  return Buffer.concat(parts);
}

async function versions(s: Sandbox): Promise<number> {
  return (await s.ok("log", "--json")).json<unknown[]>().length;
}

async function rows(s: Sandbox, path: string): Promise<Array<Record<string, unknown>>> {
  const table = await readParquet((await s.ok("cat", path)).stdout);
  return table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
}

// apache-arrow gives timestamps as epoch milliseconds.
const EXPECTED = [
  { time: 1_704_067_200_000, temp: 1.5, site: "north, upper" },
  { time: 1_704_067_200_000, temp: 2, site: "south" },
];

describe("pond copy --format csv", () => {
  it("stores plain, gzip and zstd CSV as file:table named .parquet", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("a.csv"), READINGS);
    await writeFile(s.path("b.csv.gz"), gzipSync(READINGS));
    await writeFile(s.path("c.csv.zst"), Buffer.from(READINGS_ZST, "base64"));
    await writeFile(s.path("d.csv.zst"), zstdStored(READINGS, 10, 45));
    await s.ok("mkdir", "/t");
    const { out } = await s.ok(
      "copy",
      "--format",
      "csv",
      "a.csv",
      "b.csv.gz",
      "c.csv.zst",
      "d.csv.zst",
      "/t",
    );
    expect(out).toMatch(/^version 2: copied 4 files/);
    const listing = (await s.ok("ls", "--json", "/t")).json<
      Array<{ name: string; type: string }>
    >();
    expect(listing.map((e) => [e.name, e.type])).toEqual([
      ["a.parquet", "file:table"],
      ["b.parquet", "file:table"],
      ["c.parquet", "file:table"],
      ["d.parquet", "file:table"],
    ]);
    for (const name of ["a", "b", "c", "d"])
      expect(await rows(s, `/t/${name}.parquet`)).toEqual(EXPECTED);
    // A destination that names the file keeps its name.
    await s.ok("copy", "--format", "csv", "a.csv", "/named");
    expect(await rows(s, "/named")).toEqual(EXPECTED);
  });

  it("appends series chunks with --series, recording each chunk's event time", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("day1.csv"), READINGS);
    await writeFile(s.path("day2.csv"), "time,temp\n1704153600,3\n1704157200,4\n");
    await s.ok("copy", "--format", "csv", "--series", "day1.csv", "/weather");
    await s.ok(
      "copy",
      "--format",
      "csv",
      "--series",
      "--schema",
      "time:timestamp[s]",
      "day2.csv",
      "/weather",
    );
    const stat = (await s.ok("stat", "--json", "/weather")).json<{
      type: string;
      versions: Array<{ minEventTime: number; maxEventTime: number }>;
    }>();
    expect(stat.type).toBe("file:series");
    expect(stat.versions.map((v) => [v.minEventTime, v.maxEventTime])).toEqual([
      [1_704_067_200_000, 1_704_067_200_000],
      [1_704_153_600_000, 1_704_157_200_000],
    ]);
    // The second chunk's integer temps were read as the series' float64.
    const second = await rows(s, "/weather");
    expect(second.map((r) => r.temp)).toEqual([3, 4]);
  });

  it("fails a bad row with FILE:LINE:COLUMN, the column and the value, committing nothing", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("good.csv"), READINGS);
    await writeFile(s.path("bad.csv"), `${READINGS}2024-01-01T02:00:00Z,warm,west\n`);
    await s.ok("copy", "--format", "csv", "--series", "good.csv", "/weather");
    const before = await versions(s);
    const listing = (await s.ok("ls", "-l", "/")).out;
    // The series' temp is float64; a new table's is float64 by the schema (else it would be string).
    for (const args of [
      ["--series", "good.csv", "bad.csv", "/weather"],
      ["--schema", "temp:float64", "bad.csv", "/t.parquet"],
    ]) {
      const run = await s.pond("copy", "--format", "csv", ...args);
      expect(run.code).toBe(1);
      expect(run.err).toBe('pond: EINVAL: bad.csv:4:22: column "temp": "warm" is not a number\n');
    }
    expect(await versions(s)).toBe(before);
    expect((await s.ok("ls", "-l", "/")).out).toBe(listing);
    expect((await s.ok("stat", "--json", "/weather")).json<{ version: number }>().version).toBe(1);
  });

  it("refuses damaged compressed files, and names that would collide", async () => {
    const s = sandbox();
    await s.ok("init");
    const gz = gzipSync(READINGS);
    await writeFile(s.path("cut.csv.gz"), gz.subarray(0, gz.length - 10));
    await writeFile(s.path("cut.csv.zst"), Buffer.from(READINGS_ZST, "base64").subarray(0, 40));
    await writeFile(s.path("a.csv"), READINGS);
    await writeFile(s.path("a.csv.gz"), gz);
    const before = await versions(s);
    const gzRun = await s.pond("copy", "--format", "csv", "cut.csv.gz", "/t.parquet");
    expect(gzRun.err).toMatch(
      /^pond: EINVAL: cut\.csv\.gz: damaged gzip data \(unexpected end of file\)/,
    );
    const zstRun = await s.pond("copy", "--format", "csv", "cut.csv.zst", "/t.parquet");
    expect(zstRun.err).toMatch(/^pond: EINVAL: cut\.csv\.zst: damaged Zstandard data/);
    const both = await s.pond("copy", "--format", "csv", "a.csv", "a.csv.gz", "/");
    expect(both.err).toBe(
      "pond: EINVAL: /a.parquet: a.csv and a.csv.gz would both be written here\n",
    );
    expect(await versions(s)).toBe(before);
  });

  it("refuses a series destination without --series, and bad options as usage errors", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("a.csv"), READINGS);
    await s.ok("copy", "--format", "csv", "--series", "a.csv", "/weather");
    const onto = await s.pond("copy", "--format", "csv", "a.csv", "/weather");
    expect(onto.err).toBe("pond: EINVAL: /weather: is a file:series: add versions with --series\n");
    const xml = await s.pond("copy", "--format", "xml", "a.csv", "/x");
    expect(xml.code).toBe(2);
    expect(xml.err).toMatch(/^pond: USAGE: --format takes csv, not 'xml'\n/);
    const alone = await s.pond("copy", "--schema", "a:int64", "a.csv", "/x");
    expect(alone.err).toMatch(/^pond: USAGE: --schema needs --format csv\n/);
    const bad = await s.pond("copy", "--format", "csv", "--schema", "temp:decimal", "a.csv", "/x");
    expect(bad.err).toMatch(/^pond: USAGE: --schema: unknown type "decimal" for column "temp"/);
  });
});

// The exit hook reads the process's own peak resident set size as it ends.
const peakHook = `import { readFileSync, writeFileSync } from "node:fs";
process.on("exit", () => {
  const status = readFileSync("/proc/self/status", "utf8");
  writeFileSync(process.env.POND_TEST_PEAK_FILE, /^VmHWM:\\s+(\\d+) kB$/m.exec(status)[1]);
});`;

/** Streams `bytes` of CSV readings to `path`: every row's time, temperature and note differ. */
async function writeLargeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write("time,station,temp,humidity,ok,note\n");
  let written = 0;
  let row = 0;
  const start = Date.UTC(2020, 0, 1);
  while (written < bytes) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++, row++) {
      const time = new Date(start + row * 1000).toISOString();
      const note = row % 7 === 0 ? `"gust, ${row % 97} km/h"` : row % 5 === 0 ? "" : `calm-${row}`;
      const temp = (((row * 7919) % 40_000) / 1000 - 10).toFixed(3);
      lines.push(
        `${time},station-${row % 37},${temp},${(row * 31) % 101},${row % 2 === 0},${note}\n`,
      );
    }
    const chunk = lines.join("");
    written += chunk.length;
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return row;
}

describe("an interrupted pond copy --format csv", () => {
  it("commits nothing and leaves no temporary behind", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeLargeCsv(s.path("large.csv"), 60 * 1024 * 1024);
    const before = await versions(s);
    const largeFiles = join(s.pondDir, "_large_files");
    const child = spawnPond(["--pond", s.pondDir, "copy", "--format", "csv", "large.csv", "/t"], {
      cwd: s.dir,
    });
    let err = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const closed = once(child, "close");
    // The second read has begun once the Parquet file being written shows.
    while (!names(largeFiles).some((name) => name.endsWith(".tmp"))) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill("SIGTERM");
    const [, signal] = (await closed) as [number | null, NodeJS.Signals | null];
    expect(err).toBe("pond: EINTR: interrupted by SIGTERM: the pond is unchanged\n");
    expect(signal).toBe("SIGTERM");
    expect(await versions(s)).toBe(before);
    expect((await s.ok("ls", "/")).out).toBe("");
    expect(names(largeFiles).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 120_000);
});

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe("pond copy --format csv memory", () => {
  it("copies a 400 MiB CSV in under 256 MiB of peak resident memory", async () => {
    const s = sandbox();
    await s.ok("init");
    const count = await writeLargeCsv(s.path("large.csv"), 400 * 1024 * 1024);
    const peakFile = s.path("peak.txt");
    const child = spawnPond(
      ["--pond", s.pondDir, "copy", "--format", "csv", "large.csv", "/large.parquet"],
      {
        cwd: s.dir,
        env: {
          NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(peakHook)}`,
          POND_TEST_PEAK_FILE: peakFile,
        },
      },
    );
    const err: Buffer[] = [];
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    const [code] = (await once(child, "close")) as [number];
    expect(Buffer.concat(err).toString()).toBe("");
    expect(code).toBe(0);
    const peakBytes = Number(await readFile(peakFile, "utf8")) * 1024;
    expect(peakBytes).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThan(256 * 1024 * 1024);
    const { ParquetFile } = await import("parquet-wasm");
    const parquet = await ParquetFile.fromFile(
      new Blob([new Uint8Array((await s.ok("cat", "/large.parquet")).stdout)]),
    );
    expect(parquet.metadata().fileMetadata().numRows()).toBe(count);
  }, 600_000);
});
