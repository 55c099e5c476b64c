// Conformance: file contents of every size class read back byte-identical (backends store big files apart).

import { describe, expect, it } from "vitest";
import { randomBytes, sameBytes, sha256 } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

const KIB = 1024;
const SIZES: Array<[string, number]> = [
  ["0 bytes", 0],
  ["1 byte", 1],
  ["64 KiB - 1", 64 * KIB - 1],
  ["64 KiB", 64 * KIB],
  ["64 KiB + 1", 64 * KIB + 1],
  ["1 MiB", 1024 * KIB],
];

export function contentSizeTests(ctx: SuiteContext): void {
  describe("content sizes", () => {
    for (const [label, size] of SIZES) {
      it(`a file of ${label} reads back byte-identical with its sha256`, async () => {
        const p = await ctx.pond();
        const data = randomBytes(size, size + 7);
        const meta = await p.root.writeFile("blob", data);
        expect(meta.size).toBe(size);
        expect(meta.sha256).toBe(sha256(data));
        await p.step();
        const read = await p.root.readFile("blob");
        expect(read.length).toBe(size);
        expect(sameBytes(read, data)).toBe(true);
        const stat = await p.root.stat("blob");
        expect(stat.size).toBe(size);
        expect(stat.sha256).toBe(sha256(data));
      });
    }

    it("every version of a file that changes size class reads back", async () => {
      const p = await ctx.pond();
      const versions = [64 * KIB + 1, 3, 64 * KIB - 1, 0, 1024 * KIB].map((size, i) =>
        randomBytes(size, 100 + i),
      );
      for (const data of versions) await p.root.writeFile("f", data);
      await p.step();
      for (const [i, data] of versions.entries()) {
        const read = await p.root.readFile("f", { version: i + 1 });
        expect(sha256(read)).toBe(sha256(data));
      }
      expect((await p.root.listFileVersions("f")).map((v) => v.sha256)).toEqual(
        versions.map((d) => sha256(d)),
      );
    });

    it("two files with identical large content are independent", async () => {
      const p = await ctx.pond();
      const data = randomBytes(70 * KIB, 5);
      await p.root.writeFile("a", data);
      await p.root.writeFile("b", data);
      await p.root.remove("a");
      await p.step();
      expect(sha256(await p.root.readFile("b"))).toBe(sha256(data));
    });
  });
}
