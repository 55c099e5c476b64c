// The journal file itself: what a crash leaves, what damage reads as, and two handles on one file.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PondError } from "@pond/tinyfs";
import { afterAll, describe, expect, it } from "vitest";
import { createJournalFs, openJournalFs } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "pond-journal-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let ponds = 0;
const newPath = () => join(dir, `${ponds++}.pond`);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("journal file", () => {
  it("keeps one line per version, each readable after a reopen", async () => {
    const path = newPath();
    const fs = await createJournalFs(path);
    await fs.root().writeFile("/a", "one");
    await fs.root().writeFile("/a", "two");
    await fs.close();
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(4);
    const reopened = await openJournalFs(path, { readOnly: true });
    expect(text(await (await reopened.atVersion(1)).root().readFile("/a"))).toBe("one");
    expect(text(await reopened.root().readFile("/a"))).toBe("two");
    await expect(reopened.root().writeFile("/b", "x")).rejects.toMatchObject({ code: "EROFS" });
    await reopened.close();
  });

  it("drops a last line a crash cut short, and writes over it", async () => {
    const path = newPath();
    const fs = await createJournalFs(path);
    await fs.root().writeFile("/a", "kept");
    await fs.close();
    appendFileSync(path, '{"version":2,"timestamp":');
    const reopened = await openJournalFs(path);
    expect(await reopened.version()).toBe(1);
    await reopened.root().writeFile("/b", "after");
    await reopened.close();
    const again = await openJournalFs(path);
    expect(await again.version()).toBe(2);
    expect(text(await again.root().readFile("/b"))).toBe("after");
    await again.close();
  });

  it("is CORRUPT naming the line when a line is damaged, and ENOENT when missing", async () => {
    const path = newPath();
    await (await createJournalFs(path)).close();
    appendFileSync(path, '{"version":7,"timestamp":0}\n');
    await expect(openJournalFs(path)).rejects.toMatchObject({
      code: "CORRUPT",
      message: expect.stringContaining("journal line 2"),
    });
    const lines = readFileSync(path, "utf8").split("\n").slice(0, 1);
    const tampered = { version: 1, timestamp: 0, versions: [] as unknown[], directories: [] };
    const id = "01890000-0000-7000-8000-000000000000";
    const file = { nodeId: id, partId: id, entryType: "file:data" };
    const version = { ...file, version: 1, size: 1, sha256: "0".repeat(64), content: "eA==" };
    tampered.versions.push(version);
    writeFileSync(path, `${lines[0]}\n${JSON.stringify(tampered)}\n`);
    await expect(openJournalFs(path)).rejects.toMatchObject({
      message: expect.stringContaining("not its sha256"),
    });
    writeFileSync(path, "not json\n");
    await expect(openJournalFs(path)).rejects.toMatchObject({ code: "CORRUPT", path });
    const missing = await openJournalFs(join(dir, "none.pond")).catch((e: unknown) => e);
    expect(PondError.is(missing, "ENOENT")).toBe(true);
    await expect(createJournalFs(path)).rejects.toMatchObject({ code: "EEXIST" });
  });

  it("sees what another handle committed, and refuses a commit that depends on it", async () => {
    const path = newPath();
    const first = await createJournalFs(path);
    const second = await openJournalFs(path);
    await first.root().writeFile("/shared", "first");
    expect(text(await second.root().readFile("/shared"))).toBe("first");
    const both = second.transaction(async (root) => {
      await root.readFile("/shared");
      await first.root().writeFile("/shared", "changed meanwhile");
      await root.writeFile("/shared", "second");
    });
    await expect(both).rejects.toMatchObject({ code: "CONFLICT", path: "/shared" });
    await second.root().writeFile("/other", "lands");
    expect(text(await first.root().readFile("/other"))).toBe("lands");
    await first.close();
    await second.close();
  });
});
