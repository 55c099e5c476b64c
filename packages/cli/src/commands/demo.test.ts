// pond demo through the built binary: the pond it leaves, and when it refuses a directory.

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import { readChartSvg } from "../testing/chart-reader.js";
import { useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

describe("pond demo", () => {
  it("builds a pond in ./pond-demo that ls, log, cat and downsample can read", async () => {
    const s = sandbox();
    const { code, out, err } = await s.run(["demo"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("$ pond --pond pond-demo log");
    expect(out).toContain("$ pond --pond pond-demo ls -l '**'");
    expect(out).toContain("$ pond --pond pond-demo cat --at 1 /docs/README.md");
    expect(out).toMatch(/^1h\s+168\s/m);
    expect(out).toMatch(/^1d\s+7\s/m);
    expect(out).toContain("$ pond --pond pond-demo ls -l /views/weather/station-1");
    expect(out).toMatch(/^file:table\s+\d+\s+1\s.*res=1h\.series$/m);
    expect(out).toContain(`The pond is in ${s.path("pond-demo")}`);
    expect(out).toContain("Try:");
    const chart = s.path("pond-demo", "week.svg");
    expect(out).toContain(
      `$ pond --pond pond-demo plot /sensors/station-1/weather -o pond-demo/week.svg`,
    );
    expect(out).toContain(`A chart of the week: ${chart}`);
    expect(readChartSvg(await readFile(chart, "utf8")).map((p) => p.label)).toEqual([
      "temperature",
      "humidity",
      "pressure",
    ]);

    const pond = (...args: string[]) => s.run(["--pond", "pond-demo", ...args]);
    const log = (await pond("log", "--json")).json<
      Array<{ message: string; meta: Record<string, string> }>
    >();
    expect(log.length).toBeGreaterThan(7);
    expect(log.slice(1).every((c) => c.meta["pond.demo"] === "1")).toBe(true);

    const ls = (await pond("ls", "--json", "**")).json<Array<{ path: string; type: string }>>();
    const types = Object.fromEntries(ls.map((e) => [e.path, e.type]));
    expect(types).toMatchObject({
      "/docs/README.md": "file:data",
      "/data/stations.csv": "file:data",
      "/data/calibration.bin": "file:data",
      "/sensors/station-1/weather": "file:series",
      "/sensors/latest": "symlink",
    });
    expect(ls.find((e) => e.path === "/views/weather")).toMatchObject({ kind: "temporal-reduce" });
    const daily = await readParquet(
      (await pond("cat", "/views/weather/station-1/res=1d.series")).stdout,
    );
    expect(daily.numRows).toBe(7);
    expect(daily.schema.fields.map((f) => f.name)).toEqual([
      "timestamp",
      ...["temperature", "humidity", "pressure"].flatMap((c) => [
        `${c}.avg`,
        `${c}.min`,
        `${c}.max`,
      ]),
    ]);
    const csv = await pond("cat", "/data/stations.csv");
    expect(csv.out).toMatch(/^station,name,/);
    const old = await pond("cat", "--at", "1", "/docs/README.md");
    const now = await pond("cat", "/docs/README.md");
    expect(now.out.startsWith(old.out)).toBe(true);
    expect(now.out.length).toBeGreaterThan(old.out.length);
    const stat = (await pond("stat", "--json", "/sensors/latest")).json<{ target: string }>();
    expect(stat.target).toBe("station-1/weather");
  });

  it("replaces the pond of an earlier demo", async () => {
    const s = sandbox();
    expect((await s.run(["demo", "here"])).code).toBe(0);
    const first = (await s.run(["--pond", "here", "log", "--json"])).json<unknown[]>();
    expect((await s.run(["demo", "here"])).code).toBe(0);
    const second = (await s.run(["--pond", "here", "log", "--json"])).json<unknown[]>();
    expect(second).toHaveLength(first.length);
    // A file of the user's beside the pond is not the demo's to delete.
    await writeFile(s.path("here", "mine.txt"), "keep");
    const refused = await s.run(["demo", "here"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^pond: EEXIST: here: /);
    expect(existsSync(s.path("here", "mine.txt"))).toBe(true);
  });

  it("refuses a non-empty directory that is not a demo pond, with EEXIST", async () => {
    const s = sandbox();
    await mkdir(s.path("mine"));
    await writeFile(s.path("mine", "keep.txt"), "precious");
    const { code, out, err } = await s.run(["demo", "mine"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(/^pond: EEXIST: mine: /);
    expect(existsSync(s.path("mine", "keep.txt"))).toBe(true);
    await s.run(["--pond", "other", "init"]);
    expect((await s.run(["demo", "other"])).code).toBe(1);
  });
});
