// The memory-backed pond holding derived results, one file per result.

import { MemoryPersistence } from "@pond/persistence-memory";
import { type FileEntryType, FS, type NodeMetadata } from "@pond/tinyfs";

/**
 * Writes, reads and removes result files in a memory pond. Mutations run one
 * at a time in call order, so a removal queued by an eviction can never land
 * after a later rewrite of the same path.
 *
 * A memory pond keeps every version of every file, removed ones too (it is a
 * pond: history is the point), so removing a file alone frees nothing. Once
 * the bytes held for removed or replaced files exceed `rebuildAfterBytes`, the
 * store copies the live files into a fresh pond and drops the old one.
 */
export class ResultStore {
  private current: FS;
  private readonly metadata = new Map<string, NodeMetadata>();
  private readonly dirs = new Set<string>();
  /** Bytes written into the current pond, live or not. */
  private written = 0;
  private live = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly rebuildAfterBytes: number) {
    this.current = memoryFs();
  }

  /** The pond as it is now (a rebuild replaces it). */
  get fs(): FS {
    return this.current;
  }

  /** Metadata of the live file at `path`. */
  stat(path: string): NodeMetadata | undefined {
    return this.metadata.get(path);
  }

  read(path: string): Promise<Uint8Array> {
    return this.current.root().readFile(path);
  }

  write(
    path: string,
    data: Uint8Array,
    entryType: FileEntryType,
    attrs: Record<string, string>,
  ): Promise<NodeMetadata> {
    return this.serially(async () => {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir && !this.dirs.has(dir)) {
        await this.current.root().createDirPath(dir, { recursive: true });
        this.dirs.add(dir);
      }
      const meta = await this.current.root().writeFile(path, data, { entryType, attrs });
      this.live += data.length - (this.metadata.get(path)?.size ?? 0);
      this.metadata.set(path, meta);
      this.written += data.length;
      if (this.written - this.live > this.rebuildAfterBytes) await this.rebuild();
      return this.metadata.get(path) ?? meta;
    });
  }

  remove(path: string): Promise<void> {
    return this.serially(async () => {
      const meta = this.metadata.get(path);
      if (!meta) return;
      this.metadata.delete(path);
      this.live -= meta.size;
      await this.current.root().remove(path);
    });
  }

  close(): Promise<void> {
    return this.serially(() => this.current.close());
  }

  private async rebuild(): Promise<void> {
    const old = this.current;
    const fresh = memoryFs();
    const dirs = new Set<string>();
    for (const [path, meta] of [...this.metadata]) {
      const data = await old.root().readFile(path);
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir && !dirs.has(dir)) {
        await fresh.root().createDirPath(dir, { recursive: true });
        dirs.add(dir);
      }
      const copied = await fresh.root().writeFile(path, data, {
        entryType: meta.entryType as FileEntryType,
        ...(meta.attrs && { attrs: meta.attrs }),
      });
      this.metadata.set(path, copied);
    }
    this.current = fresh;
    this.dirs.clear();
    for (const dir of dirs) this.dirs.add(dir);
    this.written = this.live;
    // Readers that started on the old pond finish on it; it is never closed, only dropped.
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

// What createMemoryFs() returns, made synchronously so the manager's constructor can own one.
function memoryFs(): FS {
  return new FS(new MemoryPersistence());
}
