// The command line end to end: help, usage errors, choosing the pond, error lines and exit statuses.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "./commands/command-table.js";
import { useSandbox } from "./testing/run-pond.js";

const sandbox = useSandbox();

describe("help", () => {
  it("pond --help lists every command and exits 0", async () => {
    const { code, out, err } = await sandbox().run(["--help"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    for (const command of COMMANDS) expect(out).toContain(`  ${command.name} `);
    expect(out).toContain("--pond DIR");
  });

  it("pond CMD --help explains every option, with examples, for every command", async () => {
    for (const command of COMMANDS) {
      const { code, out } = await sandbox().run([command.name, "--help"]);
      expect(code, command.name).toBe(0);
      expect(out).toContain(`usage: ${command.usage}`);
      for (const [name, spec] of Object.entries(command.options)) {
        expect(out, `${command.name} --${name}`).toContain(`--${name}`);
        expect(out).toContain(spec.description);
      }
      expect(out).toContain("--pond DIR");
      if (command.json) expect(out).toContain("--json");
      expect(out).toContain("examples:");
      for (const example of command.examples) expect(out).toContain(example.command);
    }
  });

  it("pond help CMD is pond CMD --help", async () => {
    const a = await sandbox().run(["help", "copy"]);
    const b = await sandbox().run(["copy", "-h"]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
  });

  it("pond --version prints the package version", async () => {
    const { code, out } = await sandbox().run(["--version"]);
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(code).toBe(0);
    expect(out.trim()).toBe(`pond ${pkg.version}`);
  });
});

describe("usage errors exit 2 with a one-line reason and a hint", () => {
  const cases: Array<[string, string[], string]> = [
    ["no command", [], "pond: USAGE: no command given"],
    ["an unknown command", ["frobnicate"], "pond: USAGE: unknown command 'frobnicate'"],
    ["an unknown option", ["ls", "--frob"], "pond: USAGE: unknown option '--frob'"],
    ["an unknown global option", ["--frob", "ls"], "pond: USAGE: unknown option '--frob'"],
    [
      "a missing option value",
      ["cat", "/x", "--at"],
      "pond: USAGE: option '--at <value>' argument missing",
    ],
    ["a missing argument", ["mkdir"], "pond: USAGE: missing arguments"],
    ["too many arguments", ["stat", "/a", "/b"], "pond: USAGE: unexpected argument '/b'"],
    [
      "a malformed number",
      ["cat", "--version", "x", "/a"],
      "pond: USAGE: --version needs a whole number",
    ],
    [
      "a malformed --at",
      ["ls", "--at", "yesterday-ish"],
      "pond: USAGE: --at needs a version number",
    ],
    ["a negative --at", ["ls", "--at=-1"], "pond: USAGE: --at needs a version number"],
    ["a far negative --at", ["ls", "--at=-99999"], "pond: USAGE: --at needs a version number"],
    ["a fractional --at", ["ls", "--at", "1.5"], "pond: USAGE: --at needs a version number"],
    [
      "--json where there is none",
      ["cat", "--json", "/a"],
      "pond: USAGE: 'pond cat' has no --json output",
    ],
  ];
  for (const [what, args, line] of cases) {
    it(what, async () => {
      const { code, out, err } = await sandbox().run(args);
      expect(code).toBe(2);
      expect(out).toBe("");
      const [first, ...hint] = err.trimEnd().split("\n");
      expect(first?.startsWith(line), first).toBe(true);
      expect(hint.join("\n")).toMatch(/--help/);
    });
  }

  it("a command's usage error shows that command's usage", async () => {
    const { err } = await sandbox().run(["copy", "only-one"]);
    expect(err).toContain(
      "usage: pond copy [-r] [--series] [--format csv [--schema SPEC]] HOSTPATH... PONDPATH",
    );
    expect(err).toContain("pond copy --help");
  });
});

describe("choosing the pond", () => {
  it("uses --pond DIR, before or after the command", async () => {
    const s = sandbox();
    expect((await s.run(["--pond", "a", "init"])).code).toBe(0);
    expect((await s.run(["init", "--pond", "b"])).code).toBe(0);
    expect(existsSync(s.path("a", "_delta_log"))).toBe(true);
    expect(existsSync(s.path("b", "_delta_log"))).toBe(true);
  });

  it("uses $POND when --pond is not given, and --pond over $POND", async () => {
    const s = sandbox();
    expect((await s.run(["init"], { POND: s.path("from-env") })).code).toBe(0);
    expect(existsSync(s.path("from-env", "_delta_log"))).toBe(true);
    expect((await s.run(["--pond", "opt", "init"], { POND: s.path("from-env") })).code).toBe(0);
    expect(existsSync(s.path("opt", "_delta_log"))).toBe(true);
  });

  it("defaults to ./.pond", async () => {
    const s = sandbox();
    expect((await s.run(["init"])).code).toBe(0);
    expect(existsSync(s.path(".pond", "_delta_log"))).toBe(true);
    expect((await s.run(["mkdir", "/x"])).code).toBe(0);
    expect((await s.run(["ls"])).out).toBe("x/\n");
  });

  it("fails with ENOENT and exit 1 when there is no pond", async () => {
    const { code, out, err } = await sandbox().run(["--pond", "nowhere", "ls"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe("pond: ENOENT: nowhere: no pond here (create one with: pond init)\n");
  });
});

describe("pond errors", () => {
  it("are one line 'pond: CODE: PATH: message' with exit 1", async () => {
    const s = sandbox();
    await s.ok("init");
    const { code, out, err } = await s.pond("cat", "/missing.txt");
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe("pond: ENOENT: /missing.txt: no such file or directory\n");
  });
});
