// Reads through dynamic nodes for the commands: found with tinyfs alone, computed with @pond/derived.

import type { DerivedFileManager, DynamicNodes } from "@pond/derived";
import {
  type ComputedFile,
  type DynamicReader,
  dynamicKind,
  type EntryType,
  type FS,
  PondError,
  parsePath,
  type WD,
} from "@pond/tinyfs";
import { derivedManager } from "./derived.js";

/**
 * The dynamic nodes of the pond a command reads. Whether a path is one (or leads into one) is
 * found from its metadata alone; @pond/derived is loaded, and a manager made to compute and cache
 * the outputs, only when a command reads one.
 */
export class DynamicReads implements DynamicReader {
  private manager: DerivedFileManager | undefined;

  constructor(private readonly fs: FS) {}

  /** Whether `path` is a dynamic node or a path below one (false when it cannot be looked up). */
  async holds(path: string): Promise<boolean> {
    return holdsDynamic(this.fs.root(), path);
  }

  /** The dynamic nodes, read through a manager this object closes. */
  async nodes(): Promise<DynamicNodes> {
    this.manager ??= await derivedManager(this.fs);
    return this.manager.dynamic;
  }

  /** {@link DynamicReader.readdir}, for globs and queries: loads @pond/derived when first called. */
  async readdir(path: string): Promise<readonly { name: string; entryType: EntryType }[]> {
    return (await this.nodes()).readdir(path);
  }

  async readFile(path: string): Promise<ComputedFile> {
    return (await this.nodes()).readFile(path);
  }

  async close(): Promise<void> {
    await this.manager?.close();
  }
}

/** Runs `fn` with the dynamic nodes of `fs`, closing what it made. */
export async function withDynamicReads<T>(
  fs: FS,
  fn: (reads: DynamicReads) => Promise<T>,
): Promise<T> {
  const reads = new DynamicReads(fs);
  try {
    return await fn(reads);
  } finally {
    await reads.close();
  }
}

/**
 * See {@link DynamicReads.holds}. A path that cannot be looked up is not one: the command's own
 * read of it reports why, as it does for any path.
 */
export async function holdsDynamic(root: WD, path: string): Promise<boolean> {
  try {
    return dynamicKind(await root.stat(path)) !== undefined;
  } catch (error) {
    if (!PondError.is(error, "ENOTDIR")) return false;
    // A component is a file: a dynamic node to read through, or an ordinary file in the way.
    let prefix = path.startsWith("/") ? "" : ".";
    for (const name of parsePath(path).components) {
      prefix += `/${name}`;
      const meta = await root.stat(prefix).catch(() => undefined);
      if (meta === undefined) return false;
      if (meta.entryType !== "directory") return dynamicKind(meta) !== undefined;
    }
    return false;
  }
}
