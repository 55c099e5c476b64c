// A writer process killed with SIGKILL at random moments never leaves a half-written pond.

import { type FS, sha256Hex } from "@pond/tinyfs";
import { describe, expect, it } from "vitest";
import { openOplogFs } from "./index.js";
import { usePondPlaces } from "./test-workers/places.js";
import { startWriter } from "./test-workers/spawn.js";

const PLACES = usePondPlaces("crash");

const KILLS = 24;

/** Every file of the view reads back with the sha256 its metadata records, and says which transaction wrote it. */
async function verifyVersion(fs: FS, version: number): Promise<void> {
  const view = await fs.atVersion(version);
  const root = view.root();
  for await (const match of root.glob("/**")) {
    if (match.entry.entryType === "directory") continue;
    const meta = await root.stat(match.path);
    const bytes = await root.readFile(match.path);
    expect(bytes.length, match.path).toBe(meta.size);
    expect(sha256Hex(bytes), match.path).toBe(meta.sha256);
    const head = new TextDecoder().decode(bytes.subarray(0, 16));
    if (match.path.startsWith("/d")) expect(head, match.path).toMatch(/^txn \d+\n/);
    if (match.path.startsWith("/log/t")) expect(head).toBe(match.path.slice("/log/t".length));
  }
  await view.close();
}

describe.each(PLACES)("crash safety of a pond $name", (place) => {
  it(`survives ${KILLS} SIGKILLs of a committing process`, async () => {
    const path = place.path("pond");
    let verified = 0;
    let lastReported = -1;
    for (let kill = 0; kill < KILLS; kill++) {
      const { child, done } = startWriter(["crash", path], place.env());
      // Let it run past start-up, then kill it at a random moment.
      await new Promise<void>((resolve) => {
        const onData = () => {
          child.stdout?.off("data", onData);
          setTimeout(() => resolve(), Math.random() * 150);
        };
        child.stdout?.on("data", onData);
      });
      child.kill("SIGKILL");
      const finished = await done;
      expect(finished.signal).toBe("SIGKILL");
      for (const line of finished.lines)
        lastReported = Math.max(lastReported, line.committed as number);

      const fs = await openOplogFs(path, { ...place.options(), readOnly: true });
      const history = await fs.history();
      const newest = history[history.length - 1]?.version as number;
      // Every commit the writer saw succeed is there; nothing else but whole commits.
      const messages = history.slice(1).map((c) => c.message);
      expect(messages).toEqual(messages.map((_, i) => `crash ${i}`));
      expect(messages.length).toBeGreaterThanOrEqual(lastReported + 1);
      for (let version = verified + 1; version <= newest; version++)
        await verifyVersion(fs, version);
      await verifyVersion(fs, newest);
      verified = newest;
      await fs.close();
    }
    expect(verified).toBeGreaterThan(KILLS);
  }, 600_000);
});
