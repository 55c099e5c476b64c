// Creating and opening a pond kept in a journal file.

import { closeSync, fsyncSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { FS, PondError, type QueryEngine } from "@pond/tinyfs";
import { Journal, JournalPersistence } from "./journal-persistence.js";

export interface OpenJournalOptions {
  /** Open read-only: every change is EROFS, and the file is never written. */
  readOnly?: boolean;
  /** Runs the pond's queries (see `FSOptions.queryEngine`); without one they are ENOTSUP. */
  queryEngine?: QueryEngine;
}

/** A new, empty pond in a journal file at `path` (its directory made if missing); EEXIST if one is there. */
export async function createJournalFs(
  path: string,
  options: Pick<OpenJournalOptions, "queryEngine"> = {},
): Promise<FS> {
  const fd = hostCall(path, () => {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, "wx+");
  });
  const journal = new Journal(fd, path);
  try {
    journal.append({
      info: { version: 0, timestamp: new Date(), message: "create pond" },
      versions: [],
      directories: [],
    });
    // The new file's name is durable once its directory is synced.
    hostCall(path, () => {
      const dir = openSync(dirname(path), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    });
    return new FS(new JournalPersistence(journal), engineOption(options));
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The pond in the journal file at `path`; ENOENT when there is none, CORRUPT when it is damaged. */
export async function openJournalFs(path: string, options: OpenJournalOptions = {}): Promise<FS> {
  const readOnly = options.readOnly === true;
  const fd = hostCall(path, () => openSync(path, readOnly ? "r" : "r+"));
  try {
    return new FS(new JournalPersistence(new Journal(fd, path)), {
      readOnly,
      ...engineOption(options),
    });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Runs a host file call, its failure a PondError about `path`. */
function hostCall<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const known = ["ENOENT", "EEXIST", "ENOSPC", "EISDIR", "ENOTDIR"] as const;
    const mapped = known.find((c) => c === code) ?? "EIO";
    throw new PondError(mapped, "cannot open the journal", { path, cause: error });
  }
}

function engineOption(options: OpenJournalOptions): { queryEngine?: QueryEngine } {
  return options.queryEngine ? { queryEngine: options.queryEngine } : {};
}
