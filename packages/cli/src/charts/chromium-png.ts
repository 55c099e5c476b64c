// PNG charts: a headless Chromium takes a screenshot of the SVG. pond draws SVG itself; only
// PNG needs a browser, and says so when none is installed.

import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { HostError } from "../errors.js";

const BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The Chromium to run: $POND_CHROMIUM, else the first of the usual names on the PATH. */
export function findChromium(env: Record<string, string | undefined>): string | undefined {
  if (env.POND_CHROMIUM) return env.POND_CHROMIUM;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const name of BROWSERS) {
      if (dir === "") continue;
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** The SVG drawn `width` × `height` as PNG bytes; `display` names the output in errors. */
export async function svgToPng(
  svg: string,
  size: { width: number; height: number },
  env: Record<string, string | undefined>,
  display: string,
): Promise<Uint8Array> {
  const browser = findChromium(env);
  if (browser === undefined) {
    throw new HostError(
      "ENOENT",
      display,
      `PNG needs Chromium, and none was found (${BROWSERS.join(", ")} on the PATH, or $POND_CHROMIUM); write .svg or .html instead, which need no browser`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "pond-png-"));
  try {
    const page = join(dir, "chart.html");
    const png = join(dir, "chart.png");
    await writeFile(page, `<!doctype html><body style="margin:0">${svg}</body>`);
    const args = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      "--default-background-color=ffffffff",
      `--user-data-dir=${join(dir, "profile")}`,
      `--window-size=${size.width},${size.height}`,
      `--screenshot=${png}`,
      pathToFileURL(page).href,
    ];
    await new Promise<void>((resolve, reject) => {
      execFile(browser, args, { timeout: 120_000 }, (error, _stdout, stderr) => {
        if (error) {
          reject(
            new HostError(
              "EIO",
              display,
              `${browser} could not draw the PNG: ${lastLine(stderr) || error.message}`,
              { cause: error },
            ),
          );
        } else resolve();
      });
    });
    return new Uint8Array(await readFile(png));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
