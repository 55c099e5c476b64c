// Several processes write one pond at once: every commit lands whole or fails with CONFLICT.

import { PondError } from "@pond/tinyfs";
import { describe, expect, it } from "vitest";
import { createOplogFs, openOplogFs } from "./index.js";
import { usePondPlaces } from "./test-workers/places.js";
import { runWriter } from "./test-workers/spawn.js";

const PLACES = usePondPlaces("concurrency");
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("a CONFLICT", () => {
  it("names the pond path a concurrent commit changed, for a name read or a file written", async () => {
    const path = PLACES[0].path("named");
    const fs = await createOplogFs(path);
    await fs.root().createDirPath("/shared/deep", { recursive: true });
    await fs.root().writeFile("/shared/deep/read.txt", "v1");
    await fs.root().writeFile("/shared/deep/written.txt", "v1");
    const other = await openOplogFs(path);
    const conflictOf = async (fn: () => Promise<void>) => {
      const error = await fs.transaction(fn).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(PondError.is(error, "CONFLICT"), String(error)).toBe(true);
      return error as PondError;
    };

    const read = await conflictOf(async () => {
      await fs.root().readFile("/shared/deep/read.txt");
      await fs.root().writeFile("/shared/elsewhere.txt", "depends on read.txt");
      await other.root().remove("/shared/deep/read.txt");
    });
    expect(read.path).toBe("/shared/deep/read.txt");
    expect(read.message).toContain("/shared/deep/read.txt");

    const written = await conflictOf(async () => {
      await fs.root().writeFile("/shared/deep/written.txt", "mine");
      await other.root().writeFile("/shared/deep/written.txt", "theirs");
    });
    expect(written.path).toBe("/shared/deep/written.txt");
    await other.close();
    await fs.close();
  });
});

describe.each(PLACES)("concurrent writer processes, a pond $name", (place) => {
  it("4 processes × 25 transactions into disjoint directories all land", async () => {
    const path = place.path("disjoint");
    const setup = await createOplogFs(path, place.options());
    await setup.transaction(async (root) => {
      for (let w = 0; w < 4; w++) await root.createDirPath(`/w${w}`);
    });
    await setup.close();

    const results = await Promise.all(
      [0, 1, 2, 3].map((w) => runWriter(["disjoint", path, String(w), "25"], place.env())),
    );
    expect(results.flatMap((r) => r.lines)).toHaveLength(100);

    const fs = await openOplogFs(path, place.options());
    const history = await fs.history();
    expect(history).toHaveLength(2 + 100);
    expect(history.map((c) => c.version)).toEqual(history.map((_, i) => i));
    const messages = new Set(history.slice(2).map((c) => c.message));
    for (let w = 0; w < 4; w++) {
      const entries = await fs.root().readdir(`/w${w}`);
      expect(entries).toHaveLength(25);
      for (let i = 0; i < 25; i++) {
        expect(messages.has(`w${w}-${i}`)).toBe(true);
        expect(text(await fs.root().readFile(`/w${w}/f${i}`))).toBe(`worker ${w} txn ${i}`);
      }
    }
    await fs.close();
  }, 300_000);

  it("4 processes writing the same names never lose a committed change", async () => {
    const path = place.path("contended");
    const setup = await createOplogFs(path, place.options());
    await setup.root().createDirPath("/shared");
    await setup.close();

    const results = await Promise.all(
      [0, 1, 2, 3].map((w) => runWriter(["contended", path, String(w), "25", "6"], place.env())),
    );
    const outcomes = results.flatMap((r) => r.lines) as Array<{
      txn: string;
      outcome: "landed" | "conflict";
      names?: string[];
    }>;
    expect(outcomes).toHaveLength(100);
    const landed = outcomes.filter((o) => o.outcome === "landed");
    const conflicted = outcomes.filter((o) => o.outcome === "conflict");

    const fs = await openOplogFs(path, place.options());
    const history = await fs.history();
    // Exactly the landed transactions are in the history, each once.
    const committed = history.slice(2).map((c) => c.message as string);
    expect([...committed].sort()).toEqual(landed.map((o) => o.txn).sort());
    for (const o of conflicted) expect(committed).not.toContain(o.txn);

    // The directory equals the replay of the landed transactions in commit order.
    const byTxn = new Map(landed.map((o) => [o.txn, o.names as string[]]));
    const expected = new Map<string, { content: string; versions: number }>();
    for (const txn of committed) {
      for (const name of byTxn.get(txn) as string[]) {
        const previous = expected.get(name);
        expected.set(name, { content: txn, versions: (previous?.versions ?? 0) + 1 });
      }
    }
    const listing = await fs.root().readdir("/shared");
    expect(listing.map((e) => e.name)).toEqual([...expected.keys()].sort());
    for (const [name, want] of expected) {
      expect(text(await fs.root().readFile(`/shared/${name}`))).toBe(want.content);
      expect(await fs.root().listFileVersions(`/shared/${name}`)).toHaveLength(want.versions);
    }
    await fs.close();
  }, 300_000);
});
