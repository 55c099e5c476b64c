// Writing several host files all or nothing: staged under temporary names, renamed into place at the end.

import { randomBytes } from "node:crypto";
import { renameSync, statSync, writeFileSync } from "node:fs";
import { mkdir, open, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HostError, hostError, onHost, onHostSync } from "../errors.js";

/** Files up to this size move between host and pond whole; larger ones stream in chunks of it. */
export const WHOLE_FILE_BYTES = 1 << 20;

interface Staged {
  temp: string;
  target: string;
  display: string;
}

/**
 * Files are written beside their targets under hidden temporary names and
 * only renamed into place by {@link commit}; {@link rollback} removes the
 * temporary files and the directories this transaction created, so a failed
 * export leaves the host as it was.
 */
export class HostTransaction {
  private readonly staged: Staged[] = [];
  private readonly createdDirs: string[] = [];

  /** Makes `path` a directory unless it is one; EEXIST when a file is in the way. */
  async ensureDirectory(path: string, display: string): Promise<void> {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw hostError(error, display);
    });
    if (info?.isDirectory()) return;
    if (info) throw new HostError("EEXIST", display, "exists and is not a directory");
    await onHost(display, () => mkdir(path));
    this.createdDirs.push(path);
  }

  /** Writes `content` for `target`, under a temporary name until commit; a stream chunk by chunk. */
  async stageFile(
    target: string,
    display: string,
    content: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<void> {
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
      throw new HostError("EISDIR", display, "is a directory");
    }
    const temp = join(
      dirname(target),
      `.${basename(target)}.pond-${randomBytes(4).toString("hex")}`,
    );
    this.staged.push({ temp, target, display });
    if (content instanceof Uint8Array) {
      // Whole contents are small: a synchronous write is one call, not a thread-pool round trip
      // for each of open, write and close.
      onHostSync(display, () => writeFileSync(temp, content, { flag: "wx" }));
      return;
    }
    const file = await onHost(display, () => open(temp, "wx"));
    try {
      for await (const chunk of content) await onHost(display, () => file.write(chunk));
    } finally {
      await file.close();
    }
  }

  /** Renames every staged file into place. */
  async commit(): Promise<void> {
    for (const { temp, target, display } of this.staged) {
      onHostSync(display, () => renameSync(temp, target));
    }
    this.staged.length = 0;
    this.createdDirs.length = 0;
  }

  /** Removes the staged files and the directories made for them. */
  async rollback(): Promise<void> {
    for (const { temp } of this.staged) await rm(temp, { force: true }).catch(() => undefined);
    for (const dir of this.createdDirs.reverse()) await rmdir(dir).catch(() => undefined);
    this.staged.length = 0;
    this.createdDirs.length = 0;
  }
}
