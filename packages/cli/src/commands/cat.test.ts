// pond cat through the built binary: bytes, file versions and pond time travel.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

/** A pond where /f.txt is "one\n" in pond version 1 and "two\n" in version 2. */
async function twoVersions(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("f.txt"), "one\n");
  await s.ok("copy", "f.txt", "/f.txt");
  await writeFile(s.path("f.txt"), "two\n");
  await s.ok("copy", "f.txt", "/f.txt");
  return s;
}

describe("pond cat", () => {
  it("prints the newest version's bytes", async () => {
    const s = await twoVersions();
    const { out, err } = await s.ok("cat", "/f.txt");
    expect(out).toBe("two\n");
    expect(err).toBe("");
  });

  it("--version N prints the file's own version N", async () => {
    const s = await twoVersions();
    expect((await s.ok("cat", "--version", "1", "/f.txt")).out).toBe("one\n");
  });

  it("--at V reads the pond as of version V, or as of a time", async () => {
    const s = await twoVersions();
    expect((await s.ok("cat", "--at", "1", "/f.txt")).out).toBe("one\n");
    const log = (await s.ok("log", "--json")).json<Array<{ timestamp: string }>>();
    expect((await s.ok("cat", "--at", log[1]?.timestamp as string, "/f.txt")).out).toBe("one\n");
    expect((await s.ok("cat", "--at", "2", "/f.txt")).out).toBe("two\n");
  });

  it("fails with ENOENT for a path missing at --at", async () => {
    const s = await twoVersions();
    const { code, err } = await s.pond("cat", "--at", "0", "/f.txt");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOENT: /f.txt: no such file or directory\n");
  });

  it("fails with EISDIR on a directory", async () => {
    const s = await twoVersions();
    const { code, err } = await s.pond("cat", "/");
    expect(code).toBe(1);
    expect(err).toBe("pond: EISDIR: /: is a directory\n");
  });

  it("fails with exit 1 for a version the file or the pond does not have", async () => {
    const s = await twoVersions();
    const file = await s.pond("cat", "--version", "9", "/f.txt");
    expect(file.code).toBe(1);
    expect(file.err).toMatch(/^pond: ENOENT: \/f\.txt: /);
    const pond = await s.pond("cat", "--at", "9", "/f.txt");
    expect(pond.code).toBe(1);
    expect(pond.err).toMatch(/^pond: EINVAL: .*no version 9/);
  });
});
