import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isNodeId, newNodeId, ROOT_ID } from "./node-id.js";

describe("node ids", () => {
  it("are lowercase hyphenated UUIDv7 strings", () => {
    for (let i = 0; i < 1000; i++) expect(isNodeId(newNodeId())).toBe(true);
    expect(ROOT_ID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("increase strictly within a process, even many per millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => newNodeId());
    for (let i = 1; i < ids.length; i++)
      expect((ids[i - 1] as string) < (ids[i] as string)).toBe(true);
  });

  it("carry the current time in their first 48 bits", () => {
    const before = Date.now();
    const ms = Number.parseInt(newNodeId().replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it("do not collide across processes started at the same moment", () => {
    const module = fileURLToPath(new URL("./node-id.ts", import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => { const ids = []; for (let i = 0; i < 20000; i++) ids.push(m.newNodeId()); console.log(ids.join("\\n")); })`;
    const run = () =>
      execFileSync(process.execPath, ["--import", "tsx", "-e", script], { maxBuffer: 64 << 20 })
        .toString()
        .trim()
        .split("\n");
    const all = [...run(), ...run(), ...new Array(20000).fill(0).map(() => newNodeId())];
    expect(new Set(all).size).toBe(all.length);
  });
});
