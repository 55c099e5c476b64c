// Conformance: a closed pond refuses every call with CLOSED.

import { describe, it } from "vitest";
import { collect, expectPondError } from "../assertions.js";
import type { SuiteContext } from "../harness.js";

export function lifecycleTests(ctx: SuiteContext): void {
  describe("close", () => {
    it("every WD call after close is CLOSED", async () => {
      const p = await ctx.pond();
      await p.root.createDirPath("d");
      await p.root.writeFile("d/f", "x");
      const root = p.root;
      const d = await root.openDirPath("d");
      await p.fs.close();
      await expectPondError(root.readFile("d/f"), "CLOSED");
      await expectPondError(root.writeFile("g", "x"), "CLOSED");
      await expectPondError(root.readdir(), "CLOSED");
      await expectPondError(root.stat("d"), "CLOSED");
      await expectPondError(root.exists("d"), "CLOSED");
      await expectPondError(root.createDirPath("e"), "CLOSED");
      await expectPondError(root.remove("d/f"), "CLOSED");
      await expectPondError(collect(root.glob("*")), "CLOSED");
      await expectPondError(d.readdir(), "CLOSED");
      await expectPondError(p.fs.root().openDirPath("d"), "CLOSED");
    });

    it("history, atVersion and transaction after close are CLOSED", async () => {
      const p = await ctx.pond();
      await p.root.writeFile("f", "x");
      await p.fs.close();
      await expectPondError(p.fs.history(), "CLOSED");
      await expectPondError(p.fs.atVersion(0), "CLOSED");
      await expectPondError(
        p.fs.transaction(async () => "nothing"),
        "CLOSED",
      );
    });
  });
}
