// A log entry missing between others: readers say which versions are missing and which is the
// newest readable one, writers never commit into the gap, and fsck reports it; so does it report
// entries swapped, and commit info pond cannot use.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fsckOplog } from "./fsck.js";
import { createOplogFs, maintainOplog, openOplogFs } from "./index.js";
import { failure } from "./test-workers/failure.js";

const scratch = mkdtempSync(join(tmpdir(), "pond-log-gap-"));
afterAll(() => rm(scratch, { recursive: true, force: true }), 60_000);
let next = 0;

const entry = (path: string, version: number) =>
  join(path, "_delta_log", `${String(version).padStart(20, "0")}.json`);

/** A pond of versions 0 to `newest`: /dir, then one file per version. */
async function pond(newest: number): Promise<string> {
  const path = join(scratch, `pond-${next++}`);
  const fs = await createOplogFs(path);
  await fs.root().createDirPath("/dir");
  for (let v = 2; v <= newest; v++) await fs.root().writeFile(`/dir/f${v}`, `version ${v}`);
  await fs.close();
  return path;
}

const names = async (fs: Awaited<ReturnType<typeof openOplogFs>>) =>
  (await fs.root().readdir("/dir")).map((e) => e.name);

describe("a gap in the log", () => {
  it("readers say the newest readable version and that newer ones are missing; that version still opens", async () => {
    const path = await pond(5);
    rmSync(entry(path, 3));
    for (const readOnly of [false, true]) {
      const error = await failure(openOplogFs(path, { readOnly }));
      expect(error.code).toBe("CORRUPT");
      expect(error.message).toContain("version 3 is missing from the log while version 4 is there");
      expect(error.message).toContain("the newest readable version is 2");
      expect(error.path).toBe(path);
    }
    const older = await openOplogFs(path, { version: 2 });
    expect(await names(older)).toEqual(["f2"]);
    await older.close();
    const problems = (await fsckOplog(path)).problems;
    expect(problems.find((p) => p.kind === "missing-log-entry")).toMatchObject({ version: 3 });
  });

  it("a writer never commits into the gap, however many versions it spans", async () => {
    const path = await pond(2);
    const writer = await openOplogFs(path);
    expect(await names(writer)).toEqual(["f2"]);
    const other = await openOplogFs(path);
    for (let v = 3; v <= 7; v++) await other.root().writeFile(`/dir/f${v}`, `version ${v}`);
    await other.close();
    for (let v = 3; v <= 6; v++) rmSync(entry(path, v));

    const error = await failure(writer.root().writeFile("/dir/late", "into the gap?"));
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("versions 3 to 6 are missing from the log");
    expect(existsSync(entry(path, 3))).toBe(false);
    await writer.close();
    expect((await failure(openOplogFs(path))).message).toContain("versions 3 to 6 are missing");
  });

  it("without its first entry and no checkpoint, the pond is CORRUPT naming version 0, for fsck too", async () => {
    const path = await pond(3);
    rmSync(entry(path, 0));
    // Started one at a time: one failing while another is awaited would be an unhandled rejection.
    for (const opening of [
      () => openOplogFs(path),
      () => openOplogFs(path, { readOnly: true }),
      () => fsckOplog(path),
    ]) {
      const error = await failure(opening());
      expect(error.code).toBe("CORRUPT");
      expect(error.message).toContain(`version 0, ${entry(path, 0)}) is missing`);
    }
  });

  it("log entries swapped are reported by fsck", async () => {
    const path = await pond(5);
    const [three, four] = [readFileSync(entry(path, 3)), readFileSync(entry(path, 4))];
    writeFileSync(entry(path, 3), four);
    writeFileSync(entry(path, 4), three);
    const problems = (await fsckOplog(path)).problems;
    expect(problems.find((p) => p.kind === "misplaced-log-entry")).toMatchObject({ version: 3 });
  });

  it("a commit info pond cannot use is CORRUPT naming its version, and fsck reports it", async () => {
    const path = await pond(3);
    const lines = readFileSync(entry(path, 2), "utf8").trimEnd().split("\n");
    const edited = lines.map((line) => {
      const action = JSON.parse(line) as { commitInfo?: { pond: { timestamp: unknown } } };
      if (action.commitInfo) action.commitInfo.pond.timestamp = "soon";
      return JSON.stringify(action);
    });
    writeFileSync(entry(path, 2), `${edited.join("\n")}\n`);
    const fs = await openOplogFs(path);
    const error = await failure(fs.history());
    expect(error.code).toBe("CORRUPT");
    expect(error.message).toContain("version 2");
    await fs.close();
    const problems = (await fsckOplog(path)).problems;
    expect(problems.find((p) => p.kind === "unreadable-log-entry")?.detail).toContain("version 2");
  });

  it("maintain refuses to work on a log with a gap, and deletes nothing", async () => {
    // At version 4, /dir's partition has files enough to compact, into version 5.
    const path = await pond(6);
    rmSync(entry(path, 5));
    const before = readdirSync(path, { recursive: true }).sort();
    expect((await failure(maintainOplog(path))).code).toBe("CORRUPT");
    expect(readdirSync(path, { recursive: true }).sort()).toEqual(before);
  });
});
