// Names holding escape sequences and newlines are shown, never sent to the terminal: quoted as
// GNU ls quotes them in ls, show, fsck and error lines, escaped in log; JSON keeps them exact.

import { readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

/** A name that retitles a terminal, turns it red and starts a new line. */
const NAME = "evil\u001b]0;owned\u0007\u001b[31m\nred.txt";
/** How it is shown, alone and as a path. */
const SHOWN = "'evil'$'\\033'']0;owned'$'\\a\\033''[31m'$'\\n''red.txt'";
const SHOWN_PATH = `'/${SHOWN.slice(1)}`;

/** Whether text holds a character a terminal acts on, other than the newlines ending lines. */
function hasControl(text: string): boolean {
  return [...text].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== "\n") || (code >= 0x7f && code <= 0x9f);
  });
}

describe("a name with control characters", () => {
  it("is quoted in ls, ls -l, show, log and error lines, and exact in --json", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("plain.txt"), "x\n");
    await s.ok("copy", "plain.txt", `/${NAME}`);
    const ls = await s.ok("ls");
    const long = await s.ok("ls", "-l", "**");
    const show = await s.ok("show");
    const log = await s.ok("log");
    const missing = await s.pond("cat", `/${NAME}/missing`);
    for (const run of [ls, long, show, log, missing]) {
      expect(hasControl(run.out), run.out).toBe(false);
      expect(hasControl(run.err), run.err).toBe(false);
    }
    expect(ls.out).toBe(`${SHOWN}\n`);
    expect(long.out).toContain(`  ${SHOWN_PATH}\n`);
    expect(show.out).toContain(`  ${SHOWN_PATH}  `);
    expect(log.out).toContain(`pond copy plain.txt ${SHOWN_PATH}\n`);
    expect(missing.err).toBe(
      `pond: ENOTDIR: ${SHOWN_PATH.slice(0, -1)}/missing': not a directory\n`,
    );
    const json = (await s.ok("ls", "--json", "/")).json<Array<{ name: string }>>();
    expect(json.map((e) => e.name)).toEqual([NAME]);
  });

  it("is quoted in fsck's FILE column: a file in the pond's own directories may be named so", async () => {
    const s = sandbox();
    await s.ok("init");
    await writeFile(s.path("plain.txt"), "x\n");
    await s.ok("copy", "plain.txt", "/plain.txt");
    const partition = (await readdir(s.pondDir)).find((n) => n.startsWith("part_id=")) as string;
    const stray = join(s.pondDir, partition, `${NAME}.parquet`);
    await writeFile(stray, "left by someone");
    const longAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    await utimes(stray, longAgo, longAgo);
    const fsck = await s.pond("fsck");
    expect(fsck.code).toBe(1);
    expect(hasControl(fsck.out), fsck.out).toBe(false);
    expect(fsck.out).toContain(`  '${partition}/${SHOWN.slice(1, -1)}.parquet'  `);
  });
});
