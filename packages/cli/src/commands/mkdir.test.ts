// pond mkdir through the built binary.

import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

async function initialised(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  return s;
}

describe("pond mkdir", () => {
  it("creates directories, several in one version", async () => {
    const s = await initialised();
    expect((await s.ok("mkdir", "/a", "/b")).out).toBe("version 1: created 2 directories\n");
    expect((await s.ok("ls")).out).toBe("a/\nb/\n");
  });

  it("fails with EEXIST on an existing path and ENOENT under a missing parent", async () => {
    const s = await initialised();
    await s.ok("mkdir", "/a");
    expect((await s.pond("mkdir", "/a")).err).toBe("pond: EEXIST: /a: already exists\n");
    const missing = await s.pond("mkdir", "/x/y");
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("pond: ENOENT: /x/y: no such file or directory\n");
  });

  it("-p makes parents and accepts existing directories without a new version", async () => {
    const s = await initialised();
    await s.ok("mkdir", "-p", "/x/y/z");
    expect((await s.ok("ls", "**")).out).toBe("/x/\n/x/y/\n/x/y/z/\n");
    const again = await s.ok("mkdir", "-p", "/x/y");
    expect(again.out).toBe("no change: the directories exist\n");
    expect((await s.ok("log", "--json")).json<unknown[]>()).toHaveLength(2);
  });

  it("creates none when one fails", async () => {
    const s = await initialised();
    await s.ok("mkdir", "/taken");
    const { code } = await s.pond("mkdir", "/new", "/taken");
    expect(code).toBe(1);
    expect((await s.ok("ls")).out).toBe("taken/\n");
  });
});
