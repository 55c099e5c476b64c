import { describe, expect, it } from "vitest";
import type { DirEntry } from "../node.js";
import { PendingChanges } from "./pending-changes.js";

const child = (nodeId: string): Omit<DirEntry, "name"> => ({
  nodeId,
  partId: "p",
  entryType: "file:data",
});
const noLookup = async () => undefined;

describe("PendingChanges", () => {
  it("overlays staged inserts and deletes on a committed listing, sorted", async () => {
    const pending = new PendingChanges();
    await pending.applyDirectoryOperation(
      "d",
      "c",
      { kind: "insert", child: child("3") },
      noLookup,
    );
    await pending.applyDirectoryOperation("d", "a", { kind: "delete" }, noLookup);
    const committed: DirEntry[] = [
      { name: "a", ...child("1") },
      { name: "b", ...child("2") },
    ];
    expect(pending.overlay("d", committed).map((e) => e.name)).toEqual(["b", "c"]);
  });

  it("rolls back to a savepoint, undoing everything staged after it", async () => {
    const pending = new PendingChanges();
    await pending.applyDirectoryOperation(
      "d",
      "a",
      { kind: "insert", child: child("1") },
      noLookup,
    );
    const mark = pending.savepoint();
    await pending.applyDirectoryOperation("d", "a", { kind: "delete" }, noLookup);
    await pending.applyDirectoryOperation(
      "e",
      "b",
      { kind: "insert", child: child("2") },
      noLookup,
    );
    pending.rollbackTo(mark);
    expect(pending.stagedEntry("d", "a")?.nodeId).toBe("1");
    expect(pending.dirs.has("e")).toBe(false);
    pending.rollbackTo(0);
    expect(pending.isEmpty).toBe(true);
  });

  it("renames through the lookup and keeps the child", async () => {
    const pending = new PendingChanges();
    const lookup = async (_dir: string, name: string) =>
      name === "old" ? { name: "old", ...child("7") } : undefined;
    await pending.applyDirectoryOperation("d", "old", { kind: "rename", newName: "new" }, lookup);
    expect(pending.stagedEntry("d", "old")).toBeNull();
    expect(pending.stagedEntry("d", "new")).toEqual({ name: "new", ...child("7") });
  });
});
