// Dynamic nodes through the built binary, on the op-log and journal backends: mknod, apply, reads,
// queries and globs reaching into them, sql-derived nodes, time travel, refused writes and bad
// configs.

import { readdir, readFile, writeFile } from "node:fs/promises";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { type PondRun, useSandbox } from "../testing/run-pond.js";
import { seriesChunk } from "../testing/series-fixture.js";

const DAY = 86_400_000;
const sandbox = useSandbox();

const REDUCE = `in_pattern: /sensors/*/weather
out_pattern: $0
resolutions: [1h, 1d]
aggregations:
  - columns: "val*"
    ops: [avg, max]
`;

const VIEWS = `kind: temporal-reduce
path: /views/weather
config:
  in_pattern: /sensors/*/weather
  out_pattern: $0
  resolutions: [1h]
  aggregations: [{ columns: "*", ops: [min, count] }]
---
kind: temporal-reduce
path: /views/daily
config:
  in_pattern: /sensors/*/weather
  out_pattern: station-$0
  resolutions: [1d]
  aggregations: [{ columns: value, ops: [avg] }]
`;

const SQL_VIEWS = `kind: sql-derived-table
path: /views/stats
config:
  patterns: { w: "/sensors/*/weather" }
  query: SELECT _path AS station, count(*) AS n, max(value) AS top FROM w GROUP BY _path ORDER BY _path
---
kind: sql-derived-series
path: /views/late
config:
  patterns: { source: /sensors/north/weather }
  query: SELECT timestamp, value * 2 AS twice FROM source WHERE value >= 1000
`;

for (const backend of ["file", "journal"] as const) {
  describe(`dynamic nodes (${backend} backend)`, () => {
    /** Two stations of one day of minute readings each; a pond runner for the backend. */
    async function pond() {
      const s = sandbox();
      const location = backend === "file" ? s.pondDir : `journal:${s.path("pond.journal")}`;
      const run = (...args: string[]) => s.run(["--pond", location, ...args]);
      const ok = async (...args: string[]): Promise<PondRun> => {
        const result = await run(...args);
        if (result.code !== 0) throw new Error(`pond ${args.join(" ")}: ${result.err}`);
        return result;
      };
      await ok("init");
      await ok("mkdir", "-p", "/sensors/north", "/sensors/south", "/views");
      await writeFile(s.path("d1.parquet"), await seriesChunk(0, 1440, 60_000));
      await writeFile(s.path("d2.parquet"), await seriesChunk(DAY, 1440, 60_000));
      await ok("copy", "--series", "d1.parquet", "/sensors/north/weather");
      await ok("copy", "--series", "d1.parquet", "/sensors/south/weather");
      await writeFile(s.path("reduce.yaml"), REDUCE);
      await writeFile(s.path("views.yaml"), VIEWS);
      const version = async () =>
        (await ok("log", "--json")).json<Array<{ version: number }>>().at(-1)?.version ?? -1;
      return { s, run, ok, version };
    }

    it("mknod stores the config once; the same config again makes no version", async () => {
      const { ok, version } = await pond();
      const made = await ok(
        "mknod",
        "temporal-reduce",
        "/views/weather",
        "--config",
        "reduce.yaml",
      );
      expect(made.out).toMatch(/^version \d+: temporal-reduce node \/views\/weather/);
      const before = await version();
      const again = await ok(
        "mknod",
        "temporal-reduce",
        "/views/weather",
        "--config",
        "reduce.yaml",
        "--json",
      );
      expect(again.json<{ version: number | null }>().version).toBeNull();
      expect(await version()).toBe(before);
      expect((await ok("ls", "-l", "/views")).out).toMatch(/dynamic:temporal-reduce .*weather/);
    });

    it("apply writes every document in one version, and nothing when applied again", async () => {
      const { ok, version } = await pond();
      const before = await version();
      const first = await ok("apply", "-f", "views.yaml", "--json");
      expect(first.json<{ changed: string[] }>().changed).toEqual([
        "/views/weather",
        "/views/daily",
      ]);
      expect(await version()).toBe(before + 1);
      const again = await ok("apply", "-f", "views.yaml");
      expect(again.out).toMatch(/^no change: 2 dynamic nodes already as views.yaml describes/);
      expect(await version()).toBe(before + 1);
      expect((await ok("ls", "/views/daily")).out).toBe("station-north/\nstation-south/\n");
    });

    it("ls, cat, stat, export and downsample read the computed outputs", async () => {
      const { s, ok } = await pond();
      await ok("mknod", "temporal-reduce", "/views/weather", "--config", "reduce.yaml");
      expect((await ok("ls", "/views/weather")).out).toBe("north/\nsouth/\n");
      const listed = (await ok("ls", "--json", "/views/weather/north")).json<
        Array<{ name: string; type: string; size: number }>
      >();
      expect(listed.map((e) => [e.name, e.type])).toEqual([
        ["res=1d.series", "file:table"],
        ["res=1h.series", "file:table"],
      ]);
      const hourly = (await ok("cat", "/views/weather/north/res=1h.series")).stdout;
      expect(listed[1]?.size).toBe(hourly.length);
      const table = await readParquet(hourly);
      expect(table.numRows).toBe(24);
      expect(table.schema.fields.map((f) => f.name)).toEqual([
        "timestamp",
        "value.avg",
        "value.max",
      ]);
      expect(table.getChild("value.max")?.get(0)).toBe(59);
      const stat = (await ok("stat", "--json", "/views/weather/north/res=1h.series")).json<{
        type: string;
        node: string;
        inputs: Array<{ path: string; version: number }>;
      }>();
      expect(stat).toMatchObject({ type: "file:table", node: "/views/weather" });
      expect(stat.inputs).toEqual([{ path: "/sensors/north/weather", version: 1 }]);
      const node = (await ok("stat", "--json", "/views/weather")).json<{
        kind: string;
        computes: string;
        config: { in_pattern: string };
      }>();
      expect(node).toMatchObject({ kind: "temporal-reduce", computes: "directory" });
      expect(node.config.in_pattern).toBe("/sensors/*/weather");
      await ok("export", "-r", "/views", "out");
      expect(await readdir(s.path("out/weather/south"))).toEqual([
        "res=1d.series",
        "res=1h.series",
      ]);
      expect(await readFile(s.path("out/weather/north/res=1h.series"))).toEqual(hourly);
      const [daily] = (
        await ok("downsample", "/views/weather/north/res=1h.series", "-r", "1d", "--json")
      ).json<Array<{ buckets: number; columns: string[] }>>();
      expect(daily).toMatchObject({ buckets: 1, columns: ["value.avg", "value.max"] });
    });

    it("timeseries-join and timeseries-pivot nodes are single computed files", async () => {
      const { s, ok } = await pond();
      await writeFile(
        s.path("aligned.yaml"),
        `kind: timeseries-join
path: /views/joined
config:
  inputs: [{ in_pattern: /sensors/*/weather, scope: $0 }]
---
kind: timeseries-pivot
path: /views/values
config: { in_pattern: /sensors/*/weather, column: value }
`,
      );
      await ok("apply", "-f", "aligned.yaml");
      const listed = (await ok("ls", "-l", "/views")).out;
      expect(listed).toMatch(/dynamic:timeseries-join .*joined/);
      expect(listed).toMatch(/dynamic:timeseries-pivot .*values/);
      const joined = await readParquet((await ok("cat", "/views/joined")).stdout);
      expect(joined.schema.fields.map((f) => f.name)).toEqual([
        "timestamp",
        "north.value",
        "south.value",
      ]);
      expect(joined.numRows).toBe(1440);
      const values = await readParquet((await ok("cat", "/views/values")).stdout);
      expect(values.schema.fields.map((f) => f.name)).toEqual(["timestamp", "north", "south"]);
      expect(values.getChild("south")?.get(1439)).toBe(1439);
      const [summary] = (await ok("downsample", "/views/values", "-r", "1d", "--json")).json<
        Array<{ columns: string[] }>
      >();
      expect(summary?.columns).toEqual(["north", "south"]);
    });

    it("sql-derived nodes compute their query over their patterns, as of the version read", async () => {
      const { s, ok, version } = await pond();
      await writeFile(s.path("sql.yaml"), SQL_VIEWS);
      await ok("apply", "-f", "sql.yaml");
      expect((await ok("ls", "-l", "/views")).out).toMatch(/dynamic:sql-derived-series .*late/);
      const then = await version();
      const stats = async (...args: string[]) =>
        (await readParquet((await ok("cat", ...args, "/views/stats")).stdout))
          .toArray()
          .map((row) => ({ ...row.toJSON(), n: Number(row.n) }));
      const before = [
        { station: "/sensors/north/weather", n: 1440, top: 1439 },
        { station: "/sensors/south/weather", n: 1440, top: 1439 },
      ];
      expect(await stats()).toEqual(before);
      await ok("copy", "--series", "d2.parquet", "/sensors/north/weather");
      expect((await stats())[0]?.n).toBe(2880);
      expect(await stats("--at", String(then))).toEqual(before);
      // A series output keeps its time column: a query's time range reads it.
      const late = (...args: string[]) =>
        ok(
          "cat",
          "/views/late",
          "--sql",
          "SELECT count(*) AS n, min(twice) AS lo FROM source",
          "--format",
          "json",
          ...args,
        );
      expect((await late()).json()).toEqual([{ n: 880, lo: 2000 }]);
      expect((await late("--start", String(DAY))).json()).toEqual([{ n: 440, lo: 2000 }]);
      const node = (await ok("stat", "--json", "/views/late")).json<{ computes: string }>();
      expect(node.computes).toBe("file:series");
    });

    it("sql-derived errors: bad SQL names the node; a bad config writes nothing", async () => {
      const { s, run, ok, version } = await pond();
      await writeFile(
        s.path("bad-sql.yaml"),
        'patterns: { w: /sensors/*/weather }\nquery: "SELEC 1"\n',
      );
      await ok("mknod", "sql-derived-table", "/views/bad", "--config", "bad-sql.yaml");
      const read = await run("cat", "/views/bad");
      expect(read.code).toBe(1);
      expect(read.err).toMatch(/^pond: EINVAL: \/views\/bad: .*SELEC/);
      const before = await version();
      await writeFile(s.path("bad-name.yaml"), "patterns: { w-x: /sensors/*/weather }\n");
      const refused = await run(
        "mknod",
        "sql-derived-table",
        "/views/x",
        "--config",
        "bad-name.yaml",
      );
      expect(refused.err).toMatch(
        /^pond: EINVAL: sql-derived-table config.patterns.w-x: a table name is letters, digits and _ \(bad-name.yaml document 1, line 1\)/,
      );
      expect(await version()).toBe(before);
    });

    it("query, cat --sql, ls and export reach into dynamic nodes, globs through their directories", async () => {
      const { s, run, ok, version } = await pond();
      await ok("mknod", "temporal-reduce", "/views/weather", "--config", "reduce.yaml");
      const then = await version();
      const json = async (...args: string[]) =>
        (await ok(...args, "--format", "json")).json<Array<Record<string, unknown>>>();
      expect(
        await json(
          "query",
          'SELECT count(*) AS n, max("value.max") AS top FROM t',
          "--table",
          "t=/views/weather/north/res=1h.series",
        ),
      ).toEqual([{ n: 24, top: 1439 }]);
      const perFile = ["query", "SELECT _path, count(*) AS n FROM t GROUP BY _path ORDER BY _path"];
      const glob = ["--table", "t=/views/*/*/res=1h.series"];
      expect(await json(...perFile, ...glob)).toEqual([
        { _path: "/views/weather/north/res=1h.series", n: 24 },
        { _path: "/views/weather/south/res=1h.series", n: 24 },
      ]);
      await ok("copy", "--series", "d2.parquet", "/sensors/north/weather");
      expect((await json(...perFile, ...glob))[0]?.n).toBe(48);
      expect((await json(...perFile, ...glob, "--at", String(then)))[0]?.n).toBe(24);
      expect(
        await json(
          "cat",
          "/views/weather/south/res=1d.series",
          "--sql",
          "SELECT count(*) AS n FROM source",
        ),
      ).toEqual([{ n: 1 }]);
      expect((await ok("ls", "/views/*/*/res=1d.series")).out).toBe(
        "/views/weather/north/res=1d.series\n/views/weather/south/res=1d.series\n",
      );
      const listed = (await ok("ls", "--json", "/views/**/res=1h.series")).json<
        Array<{ path: string; type: string; size: number }>
      >();
      const hourly = (await ok("cat", "/views/weather/south/res=1h.series")).stdout;
      expect(listed.map((e) => [e.path, e.type])).toEqual([
        ["/views/weather/north/res=1h.series", "file:table"],
        ["/views/weather/south/res=1h.series", "file:table"],
      ]);
      expect(listed[1]?.size).toBe(hourly.length);
      await ok("export", "/views/*/*/res=1h.series", "out");
      expect(await readdir(s.path("out/weather"))).toEqual(["north", "south"]);
      expect(await readdir(s.path("out/weather/north"))).toEqual(["res=1h.series"]);
      expect(await readFile(s.path("out/weather/south/res=1h.series"))).toEqual(hourly);
      const none = await run("export", "/views/*/east/res=1h.series", "none");
      expect(none.err).toMatch(/^pond: ENOENT: \/views\/\*\/east\/res=1h.series: /);
    });

    it("--at computes from the inputs as they were at that version", async () => {
      const { ok, version } = await pond();
      await ok("mknod", "temporal-reduce", "/views/weather", "--config", "reduce.yaml");
      const then = await version();
      await ok("copy", "--series", "d2.parquet", "/sensors/north/weather");
      const path = "/views/weather/north/res=1h.series";
      const old = await readParquet((await ok("cat", "--at", String(then), path)).stdout);
      const now = await readParquet((await ok("cat", path)).stdout);
      expect(old.numRows).toBe(24);
      expect(now.numRows).toBe(48);
      // Before the node existed there is nothing to read.
      const before = await ok("ls", "--at", String(then - 1), "/views");
      expect(before.out).toBe("");
    });

    it("refuses writes to a dynamic node and into it with EROFS", async () => {
      const { run, ok } = await pond();
      await ok("mknod", "temporal-reduce", "/views/weather", "--config", "reduce.yaml");
      for (const args of [
        ["copy", "d1.parquet", "/views/weather"],
        ["copy", "--series", "d1.parquet", "/views/weather"],
        ["mkdir", "/views/weather/north/x"],
        ["copy", "d1.parquet", "/views/weather/north/res=1h.series"],
      ]) {
        const result = await run(...args);
        expect(result.code, args.join(" ")).toBe(1);
        expect(result.err).toMatch(/^pond: EROFS: /);
      }
    });

    it("refuses a bad config with EINVAL naming the key, document and line, writing nothing", async () => {
      const { s, run, version } = await pond();
      const before = await version();
      const bad = VIEWS.replace(
        "aggregations: [{ columns: value, ops: [avg] }]",
        "aggregations: [{ columns: value, ops: [avg] }]\n  colour: blue",
      );
      await writeFile(s.path("bad.yaml"), bad);
      const result = await run("apply", "-f", "bad.yaml");
      expect(result.code).toBe(1);
      expect(result.err).toBe(
        "pond: EINVAL: temporal-reduce config.colour: unknown key (known: in_pattern, out_pattern, resolutions, aggregations, lateness, time_column, time_unit) (bad.yaml document 2, line 16)\n",
      );
      await writeFile(s.path("kind.yaml"), "kind: nope\npath: /views/x\nconfig: {}\n");
      expect((await run("apply", "-f", "kind.yaml")).err).toMatch(
        /^pond: EINVAL: apply document.kind: no dynamic node kind "nope" .*\(kind.yaml document 1, line 1\)/,
      );
      await writeFile(s.path("syntax.yaml"), "in_pattern: [\n");
      expect(
        (await run("mknod", "temporal-reduce", "/views/x", "--config", "syntax.yaml")).err,
      ).toMatch(/^pond: EINVAL: syntax.yaml document 1, line \d+: /);
      await writeFile(s.path("type.yaml"), REDUCE.replace("[1h, 1d]", "1h"));
      expect((await run("mknod", "temporal-reduce", "/views/x", "--config", "type.yaml")).err).toBe(
        "pond: EINVAL: temporal-reduce config.resolutions: must be a non-empty list (type.yaml document 1, line 3)\n",
      );
      expect(await version()).toBe(before);
    });
  });
}
