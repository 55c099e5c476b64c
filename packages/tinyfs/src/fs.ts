// The FS coordinator (Layer 2): transactions over a backend, staged in memory until they commit.

import type { Table } from "apache-arrow";
import { AsyncContext } from "#platform/async-context";
import type { PersistenceLayer } from "./backend/persistence-layer.js";
import { PondError } from "./errors.js";
import { AsyncLock } from "./lock.js";
import { andThen, type MaybePromise, settle, undoOnFailure } from "./maybe-promise.js";
import type { CommitInfo, CommitMeta } from "./node.js";
import { type QueryEngine, type QueryOptions, type QueryRun, resolveQueryTables } from "./query.js";
import { ROOT_ENTRY } from "./resolver.js";
import { Staging } from "./staging/staging.js";
import type { WD } from "./wd.js";
import { WorkingDirectory } from "./working-directory.js";

interface Transaction {
  readonly fs: FS;
}

export interface FSOptions {
  /** Refuse every change with EROFS (a read-only open; views of older versions always are). */
  readOnly?: boolean;
  /** Runs {@link FS.query}; without one, queries are ENOTSUP. */
  queryEngine?: QueryEngine;
}

/**
 * A pond filesystem over one persistence layer. Operations are serialised:
 * a transaction holds the FS until it commits or rolls back, and an
 * operation outside any transaction is a transaction of its own.
 */
export class FS {
  private readonly lock = new AsyncLock();
  private readonly current = new AsyncContext<Transaction>();
  private closed = false;
  private readonly staging: Staging;
  /** True for a read-only view (time travel, or opened read-only). */
  readonly readOnly: boolean;
  private readonly queryEngine: QueryEngine | undefined;

  constructor(
    private readonly backend: PersistenceLayer,
    options: FSOptions = {},
  ) {
    this.staging = new Staging(backend);
    this.readOnly = options.readOnly === true;
    this.queryEngine = options.queryEngine;
  }

  /** The root directory. */
  root(): WD {
    return new WorkingDirectory(this, [ROOT_ENTRY]);
  }

  /**
   * Runs `fn` as one transaction: its changes commit as one version when it
   * resolves and are discarded when it throws. A transaction started inside
   * another joins it; if the inner one throws, only its own changes are undone.
   */
  async transaction<T>(fn: (root: WD) => Promise<T>, meta: CommitMeta = {}): Promise<T> {
    if (this.current.getStore()?.fs === this) {
      const savepoint = this.staging.savepoint();
      try {
        return await fn(this.root());
      } catch (error) {
        this.staging.rollbackTo(savepoint);
        throw error;
      }
    }
    return this.exclusive(
      async () => {
        let result: T;
        try {
          result = await this.current.run({ fs: this }, () => fn(this.root()));
        } catch (error) {
          await this.staging.rollback();
          throw error;
        } finally {
          // On Node 20 an enabled AsyncLocalStorage slows every promise in the process.
          this.current.disable();
        }
        await this.staging.commit(meta);
        return result;
      },
      undefined,
      true,
    );
  }

  /** Every committed version this FS sees, oldest first. */
  async history(): Promise<CommitInfo[]> {
    return this.read((staging) =>
      andThen(this.backend.history(), (history) =>
        history.filter((commit) => commit.version <= staging.version),
      ),
    );
  }

  /** The newest version this FS sees. */
  async version(): Promise<number> {
    return this.read((staging) => staging.version);
  }

  /** A read-only FS showing the whole pond as of `version`. */
  async atVersion(version: number): Promise<FS> {
    if (!Number.isInteger(version) || version < 0) {
      throw new PondError("EINVAL", `invalid version ${version}`);
    }
    return this.read((staging) => {
      if (version > staging.version) {
        throw new PondError("EINVAL", `no version ${version} (newest is ${staging.version})`);
      }
      return andThen(
        this.backend.atVersion(version),
        (view) =>
          new FS(view, {
            readOnly: true,
            ...(this.queryEngine && { queryEngine: this.queryEngine }),
          }),
      );
    });
  }

  /**
   * Runs `sql` over the tables `options` names (see {@link QueryOptions}) and answers the whole
   * result. Inside a transaction it sees the transaction's own writes. EINVAL for bad SQL (with
   * the engine's message and position), an unknown column or table, or a file that is not
   * Parquet; ENOENT for a path that does not exist.
   */
  async query(sql: string, options: QueryOptions = {}): Promise<Table> {
    return (await this.queryStream(sql, options)).table();
  }

  /**
   * {@link query} as a stream of record batches, made as they are read: memory stays bounded
   * however large the result. The tables are resolved when it is called; reading the stream
   * holds nothing of the FS.
   */
  async queryStream(sql: string, options: QueryOptions = {}): Promise<QueryRun> {
    const engine = this.queryEngine;
    if (!engine) {
      throw new PondError("ENOTSUP", "this pond was opened without a query engine");
    }
    if (typeof sql !== "string" || sql.trim().length === 0) {
      throw new PondError("EINVAL", "a query needs SQL");
    }
    const { at, ...rest } = options;
    if (at !== undefined && rest.dynamic !== undefined) {
      throw new PondError(
        "EINVAL",
        "a dynamic reader reads the pond it was made for: query a view (fs.atVersion) instead of at",
      );
    }
    if (at !== undefined) {
      const view = await this.atVersion(at);
      try {
        return await view.queryStream(sql, rest);
      } finally {
        await view.close();
      }
    }
    const tables = await this.transaction((root) =>
      resolveQueryTables(
        root,
        { content: (meta) => settle(() => this.read((staging) => staging.queryContent(meta))) },
        rest,
      ),
    );
    return engine.run(sql, tables);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.backend.close();
    });
  }

  /**
   * Runs a read: inside the caller's transaction, or alone. Synchronous while
   * the backend answers synchronously; may throw. @internal
   */
  read<T>(fn: (staging: Staging) => MaybePromise<T>): MaybePromise<T> {
    if (this.current.getStore()?.fs === this) return fn(this.staging);
    return this.exclusive(fn);
  }

  /**
   * Runs a change: inside the caller's transaction (undone if it fails), or
   * as a transaction of its own committed with `message`. Synchronous while
   * the backend answers synchronously; may throw. @internal
   */
  write<T>(message: string, fn: (staging: Staging) => MaybePromise<T>): MaybePromise<T> {
    if (this.readOnly) throw new PondError("EROFS", "read-only pond");
    const staging = this.staging;
    if (this.current.getStore()?.fs === this) {
      const savepoint = staging.savepoint();
      return undoOnFailure(
        () => fn(staging),
        () => staging.rollbackTo(savepoint),
      );
    }
    return this.exclusive(fn, message);
  }

  /**
   * Runs `fn` holding the FS; with a commit message, as a transaction of its own.
   * `writes` tells a transaction, whose reads it depends on, from a lone read.
   */
  private exclusive<T>(
    fn: (staging: Staging) => MaybePromise<T>,
    commitMessage?: string,
    writes = commitMessage !== undefined,
  ): MaybePromise<T> {
    if (this.closed) throw new PondError("CLOSED", "the pond is closed");
    const waiting = this.lock.acquire();
    if (waiting) return waiting.then(() => this.holding(fn, commitMessage, writes));
    return this.holding(fn, commitMessage, writes);
  }

  /** The body of {@link exclusive}, the lock taken: releases it once `fn` and its commit settle. */
  private holding<T>(
    fn: (staging: Staging) => MaybePromise<T>,
    commitMessage: string | undefined,
    writes: boolean,
  ): MaybePromise<T> {
    let result: MaybePromise<T>;
    try {
      if (this.closed) throw new PondError("CLOSED", "the pond is closed");
      const begun = this.staging.begin(writes);
      result =
        begun instanceof Promise
          ? begun.then(() => this.begun(fn, commitMessage))
          : this.begun(fn, commitMessage);
    } catch (error) {
      this.lock.release();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => this.lock.release());
    this.lock.release();
    return result;
  }

  /**
   * Runs `fn` in a begun transaction; with a commit message, commits after it
   * or rolls back if it fails. Its synchronous path makes no closures: every
   * lone operation runs it.
   */
  private begun<T>(
    fn: (staging: Staging) => MaybePromise<T>,
    commitMessage: string | undefined,
  ): MaybePromise<T> {
    const staging = this.staging;
    if (commitMessage === undefined) return fn(staging);
    let changed: MaybePromise<T>;
    try {
      changed = fn(staging);
    } catch (error) {
      return rollBackThenThrow(staging, error);
    }
    if (changed instanceof Promise) {
      return changed.then(
        (value) => commitThenReturn(staging, commitMessage, value),
        (error: unknown) => rollBackThenThrow(staging, error),
      );
    }
    return commitThenReturn(staging, commitMessage, changed);
  }
}

function commitThenReturn<T>(staging: Staging, message: string, value: T): MaybePromise<T> {
  const committed = staging.commit({ message });
  return committed instanceof Promise ? committed.then(() => value) : value;
}

async function rollBackThenThrow(staging: Staging, error: unknown): Promise<never> {
  await staging.rollback();
  throw error;
}
