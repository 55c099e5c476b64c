// Directories and files inside the pond, never reached through a link: a pond someone sent is
// untrusted input, and a link in it (a tarball can carry one) must not lead a read, a write or a
// delete outside it. The pond's own directory is the user's choice and may be a link.

import { constants } from "node:fs";
import { type FileHandle, lstat, open } from "node:fs/promises";
import { PondError } from "@pond/tinyfs";

/** Opens for reading without following a link; a FIFO cannot block the open. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function linkInside(path: string): PondError {
  return new PondError(
    "CORRUPT",
    `${path} is a symbolic link inside the pond; pond does not follow links in its own directories`,
  );
}

/**
 * Whether `dir`, a directory of the pond (`_large_files`, a partition), exists as a real
 * directory: false when it does not exist, CORRUPT when it is a link or something else.
 */
export async function realDirectory(dir: string): Promise<boolean> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: its parent is a file, so there is no such directory either.
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw new PondError("EIO", `cannot inspect ${dir}`, { cause: error });
  }
  if (info.isSymbolicLink()) throw linkInside(dir);
  if (!info.isDirectory()) throw new PondError("CORRUPT", `${dir} is not a directory`);
  return true;
}

/**
 * Opens a file of the pond for reading, never through a link (its directory is the caller's
 * to check) and only when it is a regular file: undefined when it does not exist.
 */
export async function openRegular(path: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw linkInside(path);
    throw new PondError("CORRUPT", `${path} cannot be read`, { cause: error });
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new PondError("CORRUPT", `${path} is not a regular file`);
  }
  return handle;
}
