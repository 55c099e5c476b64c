// The large files one transaction stored, and taking back those it created when it does not commit them.

import { type StoredLargeFile, takeBackLargeFile } from "./large-files.js";

export class LargeFileClaims {
  /** By ref: what this transaction's writes left at the address (the first write that created it wins). */
  private readonly stored = new Map<string, StoredLargeFile>();

  /** Whether this transaction created the file at `ref` already: writing it again is needless. */
  created(ref: string): boolean {
    return this.stored.get(ref)?.created !== undefined;
  }

  note(stored: StoredLargeFile): void {
    if (!this.created(stored.ref)) this.stored.set(stored.ref, stored);
  }

  /**
   * Takes back the files this transaction created that `committed` (the refs of the rows it
   * committed, if any) does not name, then forgets them all. Best effort: a file left behind is
   * reclaimed by maintenance once its grace period has passed.
   */
  async release(root: string, committed: ReadonlySet<string | null> = new Set()): Promise<void> {
    if (this.stored.size === 0) return;
    const stored = [...this.stored.values()];
    this.stored.clear();
    for (const file of stored) {
      if (committed.has(file.ref)) continue;
      await takeBackLargeFile(root, file).catch(() => undefined);
    }
  }
}
