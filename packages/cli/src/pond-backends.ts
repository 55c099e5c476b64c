// The backends a pond location may name, by URL scheme: each opens and creates its ponds, and
// says what it can do beyond that.

import { readdir, stat } from "node:fs/promises";
import { createJournalFs, openJournalFs } from "@pond/persistence-journal";
import { MemoryPersistence } from "@pond/persistence-memory";
import type {
  FsckOptions,
  FsckReport,
  MaintainOptions,
  MaintainReport,
} from "@pond/persistence-oplog";
import { FS, PondError, type QueryEngine } from "@pond/tinyfs";

/** A past state of the pond: a pond version, or the newest version committed by a time. */
export type PondAt = { version: number } | { asOf: Date };

export interface OpenOptions {
  /** Show the pond as it was (read-only). */
  at?: PondAt | undefined;
  /** Refuse writes. */
  readOnly?: boolean;
}

/** One kind of pond storage. `path` is the location without its scheme. */
export interface PondBackend {
  /** The pond at `path`; ENOENT naming `path` when there is none. */
  open(path: string, options: OpenOptions): Promise<FS>;
  /** A new, empty pond at `path`. */
  create(path: string): Promise<FS>;
  /** Whether `path` holds one of this backend's ponds. */
  isPond(path: string): Promise<boolean>;
  /** Whether nothing is at `path` yet, so that a new pond may go there. */
  isVacant(path: string): Promise<boolean>;
  /** Compacts the pond and applies its history retention, where the backend can. */
  maintain?(path: string, options: MaintainOptions): Promise<MaintainReport>;
  /** Checks every version and every stored byte, where the backend can. */
  fsck?(path: string, options: FsckOptions): Promise<FsckReport>;
}

export type BackendScheme = "file" | "s3" | "memory" | "journal";

// Loaded when a pond is opened, not at start: the op-log's native binary may be missing on this
// platform, and `pond --help`, `pond --version` and the help pages work without it.
const loadOplog = () => import("@pond/persistence-oplog");

/** The op-log's SQL engine for ponds of other backends, loaded when a query runs. */
const queryEngine: QueryEngine = {
  async run(sql, tables) {
    return (await loadOplog()).nativeQueryEngine.run(sql, tables);
  },
};

/** Ponds kept in this process's memory, by name: for tests that run several commands. */
const memoryPonds = new Map<string, MemoryPersistence>();

export const BACKENDS: Readonly<Record<BackendScheme, PondBackend>> = {
  file: {
    async open(path, options) {
      const { openOplogFs } = await loadOplog();
      return openOplogFs(path, { ...options.at, ...(options.readOnly && { readOnly: true }) });
    },
    async create(path) {
      return (await loadOplog()).createOplogFs(path);
    },
    async isPond(path) {
      const { openOplogFs } = await loadOplog();
      try {
        await (await openOplogFs(path, { readOnly: true })).close();
        return true;
      } catch (error) {
        if (PondError.is(error, "ENOENT") || PondError.is(error, "EINVAL")) return false;
        throw error;
      }
    },
    async isVacant(path) {
      try {
        if (!(await stat(path)).isDirectory()) return false;
        return (await readdir(path)).length === 0;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
        throw error;
      }
    },
    async maintain(path, options) {
      return (await loadOplog()).maintainOplog(path, options);
    },
    async fsck(path, options) {
      return (await loadOplog()).fsckOplog(path, options);
    },
  },
  // An op-log pond in a bucket, `path` its whole s3:// URL; settings from AWS_* variables.
  s3: {
    async open(url, options) {
      const { openOplogFs } = await loadOplog();
      return openOplogFs(url, { ...options.at, ...(options.readOnly && { readOnly: true }) });
    },
    async create(url) {
      return (await loadOplog()).createOplogFs(url);
    },
    async isPond(url) {
      return !(await BACKENDS.s3.isVacant(url));
    },
    async isVacant(url) {
      const { openOplogFs } = await loadOplog();
      try {
        await (await openOplogFs(url, { readOnly: true })).close();
        return false;
      } catch (error) {
        if (PondError.is(error, "ENOENT")) return true;
        throw error;
      }
    },
    async maintain(url, options) {
      return (await loadOplog()).maintainOplog(url, options);
    },
    async fsck(url, options) {
      return (await loadOplog()).fsckOplog(url, options);
    },
  },
  journal: {
    async open(path, options) {
      const readOnly = options.readOnly === true || options.at !== undefined;
      return travel(await openJournalFs(path, { readOnly, queryEngine }), options.at, path);
    },
    async create(path) {
      return createJournalFs(path, { queryEngine });
    },
    async isPond(path) {
      return (await stat(path).catch(() => undefined))?.isFile() === true;
    },
    async isVacant(path) {
      return (await stat(path).catch(() => undefined)) === undefined;
    },
  },
  memory: {
    async open(name, options) {
      const persistence = memoryPonds.get(name);
      if (!persistence) throw new PondError("ENOENT", "no such pond", { path: name });
      const readOnly = options.readOnly === true || options.at !== undefined;
      return travel(new FS(persistence, { readOnly, queryEngine }), options.at, name);
    },
    async create(name) {
      const persistence = new MemoryPersistence();
      memoryPonds.set(name, persistence);
      return new FS(persistence, { queryEngine });
    },
    async isPond(name) {
      return memoryPonds.has(name);
    },
    async isVacant(name) {
      return !memoryPonds.has(name);
    },
  },
};

/** `fs` as it was `at`, closing `fs`; `fs` itself without `at`. */
async function travel(fs: FS, at: PondAt | undefined, path: string): Promise<FS> {
  if (at === undefined) return fs;
  try {
    if ("version" in at) return await fs.atVersion(at.version);
    const time = at.asOf.getTime();
    const committed = (await fs.history()).filter((c) => c.timestamp.getTime() <= time);
    const newest = committed.at(-1);
    if (!newest) {
      throw new PondError("EINVAL", `the pond did not exist at ${at.asOf.toISOString()}`, { path });
    }
    return await fs.atVersion(newest.version);
  } finally {
    await fs.close();
  }
}
