// Writing several host files all or nothing: staged under temporary names, renamed into place at the end.

import { randomBytes } from "node:crypto";
import { closeSync, constants, lstatSync, openSync, renameSync, writeSync } from "node:fs";
import { lstat, mkdir, open, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HostError, hostError, onHost, onHostSync } from "../errors.js";

/** Files up to this size move between host and pond whole; larger ones stream in chunks of it. */
export const WHOLE_FILE_BYTES = 1 << 20;

/**
 * A new file that is never anything else: O_EXCL fails on anything already there, a symlink
 * included, and O_NOFOLLOW says so again where the platform has it.
 */
const CREATE_NEW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

interface Staged {
  temp: string;
  target: string;
  display: string;
}

/**
 * Files are written beside their targets under hidden temporary names and
 * only renamed into place by {@link commit}; {@link rollback} removes the
 * temporary files and the directories this transaction created, so a failed
 * export leaves the host as it was. Nothing is written through a symlink
 * unless it is one of the paths the transaction was told it may follow (those
 * the user named): a link inside the target is refused, and a file's rename
 * replaces a link rather than writing where it points.
 */
export class HostTransaction {
  private readonly staged: Staged[] = [];
  private readonly createdDirs: string[] = [];

  constructor(private readonly followable: ReadonlySet<string> = new Set()) {}

  /** Makes `path` a directory unless it is one; EEXIST when a file is in the way, ELOOP for a link. */
  async ensureDirectory(path: string, display: string): Promise<void> {
    const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw hostError(error, display);
    });
    if (info?.isSymbolicLink()) {
      if (!this.followable.has(path)) throw linkInTheWay(display);
      if ((await onHost(display, () => stat(path))).isDirectory()) return;
      throw new HostError("EEXIST", display, "exists and is not a directory");
    }
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
    if (lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) {
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
      onHostSync(display, () => writeNewFile(temp, content));
      return;
    }
    const file = await onHost(display, () => open(temp, CREATE_NEW));
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

/** Creates `path` (see {@link CREATE_NEW}) holding `content`. */
function writeNewFile(path: string, content: Uint8Array): void {
  const fd = openSync(path, CREATE_NEW, 0o666);
  try {
    for (let done = 0; done < content.length; ) {
      done += writeSync(fd, content, done, content.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

function linkInTheWay(display: string): HostError {
  return new HostError(
    "ELOOP",
    display,
    "is a symbolic link: pond does not write through links inside an export target",
  );
}
