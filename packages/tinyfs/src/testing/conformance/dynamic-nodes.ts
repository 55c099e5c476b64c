// Conformance: a dynamic node's config is stored as any file is, and only its own writes change it.

import { describe, expect, it } from "vitest";
import { DYNAMIC_KIND_ATTR, dynamicKind } from "../../dynamic-node.js";
import { expectPondError, text } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

const CONFIG = { attrs: { [DYNAMIC_KIND_ATTR]: "some-kind" } };

export function dynamicNodeTests(ctx: SuiteContext): void {
  describe("dynamic nodes", () => {
    it("keeps a dynamic node's kind and config across versions and time travel", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("views");
      await p.root.writeFile("views/v", '{"a":1}', CONFIG);
      const first = await p.fs.version();
      await p.root.writeFile("views/v", '{"a":2}', CONFIG);
      await p.step();
      const meta = await p.root.stat("views/v");
      expect(dynamicKind(meta)).toBe("some-kind");
      expect(meta.version).toBe(2);
      expect(text(await p.root.readFile("views/v"))).toBe('{"a":2}');
      expect((await p.root.readdir("views"))[0]?.entryType).toBe("file:data");
      const old = p.track(await p.fs.atVersion(first));
      expect(text(await old.root().readFile("views/v"))).toBe('{"a":1}');
      expect(dynamicKind(await old.root().stat("views/v"))).toBe("some-kind");
    });

    it("refuses with EROFS a plain write to a dynamic node, and writes inside it", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("v", "{}", CONFIG);
      await p.step();
      await expectPondError(p.root.writeFile("v", "x"), "EROFS", "v");
      await expectPondError(p.root.writeFile("v", "x", { attrs: { a: "b" } }), "EROFS", "v");
      await expectPondError(p.root.createDirPath("v/d"), "EROFS", "v/d");
      await expectPondError(p.root.createDirPath("/v/d/e", { recursive: true }), "EROFS");
      await expectPondError(p.root.writeFile("v/x/y", "x"), "EROFS", "v/x/y");
      expect(text(await p.root.readFile("v"))).toBe("{}");
      expect((await p.root.stat("v")).version).toBe(1);
      // An ordinary file in the way is still ENOTDIR.
      await p.root.writeFile("f", "x");
      await expectPondError(p.root.createDirPath("f/d"), "ENOTDIR");
    });
  });
}
