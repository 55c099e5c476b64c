// A pond written by an earlier pond (src/fixtures/small-pond, with what it read at each version in
// small-pond.json) opens, reads the same at every version, passes fsck, and takes new commits.

import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex, type WD } from "@pond/tinyfs";
import { afterAll, describe, expect, it } from "vitest";
import { fsckOplog, openOplogFs } from "./index.js";

const FIXTURE = fileURLToPath(new URL("fixtures/small-pond", import.meta.url));
const expected = JSON.parse(readFileSync(`${FIXTURE}.json`, "utf8")) as Array<{
  version: number;
  message: string | null;
  meta: Record<string, string> | null;
  tree: Record<string, unknown>;
}>;

const dir = mkdtempSync(join(tmpdir(), "pond-old-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every path under `dir` with what it holds, as the fixture's JSON records it. */
async function tree(root: WD, dir: string, out: Record<string, unknown> = {}) {
  for (const entry of await root.readdir(dir)) {
    const path = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
    if (entry.entryType === "directory") {
      out[path] = { type: "directory" };
      await tree(root, path, out);
    } else if (entry.entryType === "symlink") {
      out[path] = { type: "symlink", target: await root.readlink(path) };
    } else {
      const bytes = await root.readFile(path);
      const { version } = await root.stat(path);
      out[path] = { type: entry.entryType, size: bytes.length, sha256: sha256Hex(bytes), version };
    }
  }
  return out;
}

describe("a pond written before", () => {
  it("reads the same at every version, history included, and fsck finds nothing", async () => {
    const path = join(dir, "read");
    cpSync(FIXTURE, path, { recursive: true });
    const fs = await openOplogFs(path, { readOnly: true });
    const history = await fs.history();
    expect(history.map((c) => [c.version, c.message ?? null, c.meta ?? null])).toEqual(
      expected.map((v) => [v.version, v.message, v.meta]),
    );
    for (const { version, tree: files } of expected) {
      const view = await fs.atVersion(version);
      expect(await tree(view.root(), "/")).toEqual(files);
      await view.close();
    }
    await fs.close();
    expect((await fsckOplog(path, {})).problems).toEqual([]);
  });

  it("takes a new commit, after which every older version still reads the same", async () => {
    const path = join(dir, "write");
    cpSync(FIXTURE, path, { recursive: true });
    const fs = await openOplogFs(path);
    await fs.root().writeFile("/raw/2026/a.csv", "t,v\n5,6\n");
    await fs.root().remove("/latest");
    await fs.close();
    const reopened = await openOplogFs(path, { readOnly: true });
    const newest = expected.length + 1;
    expect(await reopened.version()).toBe(newest);
    const now = await reopened.root().readFile("/raw/2026/a.csv");
    expect(new TextDecoder().decode(now)).toBe("t,v\n5,6\n");
    for (const { version, tree: files } of expected) {
      const view = await reopened.atVersion(version);
      expect(await tree(view.root(), "/")).toEqual(files);
      await view.close();
    }
    await reopened.close();
  });
});
