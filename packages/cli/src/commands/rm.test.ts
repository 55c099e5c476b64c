// pond rm through the built binary.

import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Sandbox, useSandbox } from "../testing/run-pond.js";

const sandbox = useSandbox();

async function tree(): Promise<Sandbox> {
  const s = sandbox();
  await s.ok("init");
  await writeFile(s.path("f.txt"), "f\n");
  await s.ok("mkdir", "-p", "/d/sub");
  await s.ok("copy", "f.txt", "/f.txt");
  await s.ok("copy", "f.txt", "/d/sub/g.txt");
  return s;
}

describe("pond rm", () => {
  it("removes a file, which stays readable in earlier versions", async () => {
    const s = await tree();
    expect((await s.ok("rm", "/f.txt")).out).toBe("version 4: removed 1 path\n");
    expect((await s.ok("ls")).out).toBe("d/\n");
    expect((await s.ok("cat", "--at", "3", "/f.txt")).out).toBe("f\n");
  });

  it("needs -r for a non-empty directory", async () => {
    const s = await tree();
    const { code, err } = await s.pond("rm", "/d");
    expect(code).toBe(1);
    expect(err).toBe("pond: ENOTEMPTY: /d: directory not empty\n");
    await s.ok("rm", "-r", "/d");
    expect((await s.ok("ls")).out).toBe("f.txt\n");
  });

  it("fails with ENOENT for a missing path and EINVAL for the root", async () => {
    const s = await tree();
    expect((await s.pond("rm", "/nope")).err).toBe(
      "pond: ENOENT: /nope: no such file or directory\n",
    );
    const root = await s.pond("rm", "-r", "/");
    expect(root.code).toBe(1);
    expect(root.err).toMatch(/^pond: EINVAL: \/: /);
  });

  it("removes several paths in one version, or none when one fails", async () => {
    const s = await tree();
    const failed = await s.pond("rm", "/f.txt", "/nope");
    expect(failed.code).toBe(1);
    expect((await s.ok("ls")).out).toBe("d/\nf.txt\n");
    await s.ok("rm", "-r", "/f.txt", "/d");
    expect((await s.ok("ls")).out).toBe("");
    expect((await s.ok("log", "--json")).json<unknown[]>()).toHaveLength(5);
  });
});
