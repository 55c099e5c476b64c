// pond site through the built binary: the files it writes, and the pages in Chromium.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium, launchChromium } from "@pond/browser-test";
import { readParquet } from "@pond/derived";
import { describe, expect, it } from "vitest";
import type { SeriesManifest } from "../site/site-manifest.js";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();
const chromium = ensureChromium();
const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
/** Screenshots for people to look at. */
const OUTPUT = fileURLToPath(new URL("../../test-output/", import.meta.url));
const SERIES = "/sensors/station-1/weather";

/** The demo's pond (a week of readings every 10 s) and a site of it in `site/`. */
async function demoSite(): Promise<{ s: Sandbox; manifest: SeriesManifest; page: string }> {
  const s = sandbox();
  await s.run(["demo", s.pondDir]);
  const out = await s.ok("site", "site");
  const [line] = out.out.split("\n");
  const page = /^\/sensors\/station-1\/weather: (series\/\S+\.html) /.exec(
    line ?? "",
  )?.[1] as string;
  expect(page).toBeDefined();
  const slug = page.slice("series/".length, -".html".length);
  const manifest = JSON.parse(
    await readFile(s.path("site", "data", slug, "manifest.json"), "utf8"),
  ) as SeriesManifest;
  return { s, manifest, page };
}

describe("pond site", () => {
  it("writes an index, a page per series and Parquet tiles per resolution", async () => {
    const { s, manifest, page } = await demoSite();
    expect(manifest.path).toBe(SERIES);
    expect(manifest.columns).toEqual(["temperature", "humidity", "pressure"]);
    // From the resolution that fits the week in a chart down to the 10 s readings.
    expect(manifest.levels.map((l) => l.resolution)).toEqual(["10m", "2m", "30s", "10s"]);
    const slug = page.slice("series/".length, -".html".length);
    for (const level of manifest.levels) {
      const expected = (await s.ok("downsample", SERIES, "-r", level.resolution, "--json")).json<
        Array<{ buckets: number }>
      >()[0]?.buckets;
      expect(level.tiles.reduce((n, t) => n + t.rows, 0)).toBe(expected);
      for (const tile of level.tiles) {
        const bytes = await readFile(s.path("site", "data", slug, tile.file));
        const table = await readParquet(new Uint8Array(bytes));
        expect(table.numRows).toBe(tile.rows);
        const first = Number(table.getChild("timestamp")?.get(0));
        const last = Number(table.getChild("timestamp")?.get(table.numRows - 1));
        expect(first).toBeGreaterThanOrEqual(tile.start);
        expect(last).toBeLessThan(tile.start + level.tileMs);
      }
    }
    const index = await readFile(s.path("site", "index.html"), "utf8");
    expect(index).toContain(`<a href="${page}">${SERIES}</a>`);
    // /sensors/latest links to the same series: listed once, under its own name.
    expect(index).not.toContain("/sensors/latest");
    const html = await readFile(s.path("site", page), "utf8");
    expect(html).toContain('<script type="module" src="../assets/page.js"></script>');
    expect(existsSync(s.path("site", "assets", "parquet_wasm_bg.wasm"))).toBe(true);
  });

  it("replaces a site made before, and nothing else", async () => {
    const { s } = await demoSite();
    await writeFile(s.path("site", "stale.txt"), "x");
    await s.ok("site", "site", "/sensors/latest");
    expect(existsSync(s.path("site", "stale.txt"))).toBe(false);
    expect(await readFile(s.path("site", "index.html"), "utf8")).toContain("/sensors/latest");
    await mkdir(s.path("other"));
    await writeFile(s.path("other", "keep.txt"), "mine");
    const refused = await s.pond("site", "other");
    expect([refused.code, refused.err]).toEqual([
      1,
      "pond: EEXIST: other: exists and is not empty (and is not a site made by pond site)\n",
    ]);
    expect(await readFile(s.path("other", "keep.txt"), "utf8")).toBe("mine");
    const none = await s.pond("site", "empty", "/docs/*");
    expect([none.code, none.err]).toEqual([
      1,
      "pond: ENOENT: /docs/*: no timeseries to chart: no file:series or Parquet file:table matches\n",
    ]);
    expect(existsSync(s.path("empty"))).toBe(false);
  });

  it("skips a table that is not a timeseries, saying why", async () => {
    const { s } = await demoSite();
    await writeFile(s.path("bad.parquet"), "not parquet");
    await s.ok("copy", "bad.parquet", "/data/");
    const out = await s.ok("site", "site");
    expect(out.out).toContain("skipped /data/bad.parquet: not a Parquet file\n");
    expect(out.out).toContain("wrote site: 1 series\n");
  });

  it("--serve serves the site's files and nothing outside it", async () => {
    const { s, page } = await demoSite();
    await writeFile(s.path("secret.txt"), "not for the web");
    const server = serve(s);
    try {
      const url = await servedUrl(server);
      const get = async (path: string) => {
        const response = await fetch(new URL(path, url));
        return [response.status, response.headers.get("content-type")];
      };
      expect(await get("")).toEqual([200, "text/html; charset=utf-8"]);
      expect(await get(page)).toEqual([200, "text/html; charset=utf-8"]);
      expect(await get("assets/parquet_wasm_bg.wasm")).toEqual([200, "application/wasm"]);
      expect(await get("assets/page.js")).toEqual([200, "text/javascript; charset=utf-8"]);
      for (const outside of [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/missing",
      ]) {
        expect((await get(outside))[0]).toBe(404);
      }
    } finally {
      server.kill("SIGTERM");
    }
  });

  describe.skipIf("missing" in chromium)("in Chromium, served by pond site --serve", () => {
    it("draws the week, and zooming in loads a finer resolution's tiles", async () => {
      const { s, manifest, page } = await demoSite();
      const server = serve(s);
      const browser = await launchChromium((chromium as { path: string }).path);
      try {
        const url = await servedUrl(server);
        const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const problems: string[] = [];
        tab.on("console", (m) => {
          if (m.type() === "error") problems.push(m.text());
        });
        tab.on("pageerror", (e) => problems.push(e.message));
        const parquet: string[] = [];
        tab.on("request", (r) => {
          if (r.url().endsWith(".parquet")) parquet.push(new URL(r.url()).pathname);
        });
        await tab.goto(url);
        await tab.click(`a[href="${page}"]`);
        const chart = tab.locator("#chart");
        await tab.waitForFunction(
          () => document.getElementById("chart")?.dataset.state === "ready",
        );
        const top = manifest.levels[0] as SeriesManifest["levels"][number];
        expect(await chart.getAttribute("data-resolution")).toBe(top.resolution);
        // The whole week: every bucket of the coarsest resolution, one line vertex each.
        expect(await lineVertices(tab)).toBe(top.tiles.reduce((n, t) => n + t.rows, 0));
        expect(parquet.sort()).toEqual(
          top.tiles.map((t) =>
            expect.stringContaining(`/${top.resolution}/${t.file.split("/")[1]}`),
          ),
        );
        await mkdir(OUTPUT, { recursive: true });
        await tab.screenshot({ path: join(OUTPUT, "site-week.png"), fullPage: true });

        const before = parquet.length;
        const box = await chart.boundingBox();
        await tab.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + 100);
        for (let i = 0; i < 3; i++) await tab.mouse.wheel(0, -500);
        await tab.waitForFunction((coarsest) => {
          const d = document.getElementById("chart")?.dataset;
          return d?.state === "ready" && d.resolution !== coarsest;
        }, top.resolution);
        const resolution = await chart.getAttribute("data-resolution");
        const level = manifest.levels.find((l) => l.resolution === resolution);
        expect(level?.resolutionMs).toBeLessThan(top.resolutionMs);
        const [start, end] = ((await chart.getAttribute("data-domain")) ?? "")
          .split(",")
          .map(Number);
        const inView = (level?.tiles ?? []).filter(
          (t) => t.start < (end as number) && t.start + (level?.tileMs ?? 0) > (start as number),
        );
        const fetched = parquet.slice(before);
        expect(fetched.length).toBeGreaterThan(0);
        expect(fetched.every((p) => p.includes(`/${resolution}/`))).toBe(true);
        for (const tile of inView)
          expect(fetched).toContainEqual(expect.stringContaining(`/${tile.file}`));
        expect(await lineVertices(tab)).toBe(inView.reduce((n, t) => n + t.rows, 0));
        await tab.screenshot({ path: join(OUTPUT, "site-zoomed.png"), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
        server.kill("SIGTERM");
      }
    });
  });
});

/** `pond site site --serve` on any free port. */
function serve(s: Sandbox): ChildProcess {
  return spawn(
    process.execPath,
    [BIN, "--pond", s.pondDir, "site", "site", "--serve", "--port", "0"],
    {
      cwd: s.dir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** The URL `pond site --serve` prints once it listens. */
function servedUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    server.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /serving \S+ at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    let err = "";
    server.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    server.on("exit", (code) => reject(new Error(`pond site --serve exited ${code}: ${err}`)));
  });
}

/** The vertices of the first panel's mean line. */
function lineVertices(tab: import("playwright-core").Page): Promise<number> {
  return tab.evaluate(() => {
    const d =
      document.querySelector('#chart svg g[aria-label="line"] path')?.getAttribute("d") ?? "";
    return (d.match(/[ML]/g) ?? []).length;
  });
}
