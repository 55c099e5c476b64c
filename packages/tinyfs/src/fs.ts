// The FS coordinator (Layer 2): transactions and access to the persistence layer.

import { AsyncContext } from "#platform/async-context";
import { PondError } from "./errors.js";
import { AsyncLock } from "./lock.js";
import { type MaybePromise, undoOnFailure } from "./maybe-promise.js";
import type { CommitInfo, CommitMeta } from "./node.js";
import type { PersistenceLayer } from "./persistence.js";
import { ROOT_ENTRY } from "./resolver.js";
import type { WD } from "./wd.js";
import { WorkingDirectory } from "./working-directory.js";

interface Transaction {
  readonly fs: FS;
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

  constructor(private readonly persistence: PersistenceLayer) {}

  /** True for a read-only view (time travel, or opened read-only). */
  get readOnly(): boolean {
    return this.persistence.readOnly;
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
      const savepoint = this.persistence.savepoint();
      try {
        return await fn(this.root());
      } catch (error) {
        this.persistence.rollbackTo(savepoint);
        throw error;
      }
    }
    return this.exclusive(async () => {
      let result: T;
      try {
        result = await this.current.run({ fs: this }, () => fn(this.root()));
      } catch (error) {
        await this.persistence.rollback();
        throw error;
      } finally {
        // On Node 20 an enabled AsyncLocalStorage slows every promise in the process.
        this.current.disable();
      }
      await this.persistence.commit(meta);
      return result;
    });
  }

  /** Every committed version, oldest first. */
  async history(): Promise<CommitInfo[]> {
    return this.read(() => this.persistence.history());
  }

  /** The newest version this FS sees. */
  async version(): Promise<number> {
    return this.read(() => this.persistence.currentVersion());
  }

  /** A read-only FS showing the whole pond as of `version`. */
  async atVersion(version: number): Promise<FS> {
    if (!Number.isInteger(version) || version < 0) {
      throw new PondError("EINVAL", `invalid version ${version}`);
    }
    return this.read(async () => new FS(await this.persistence.atVersion(version)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.persistence.close();
    });
  }

  /**
   * Runs a read: inside the caller's transaction, or alone. Synchronous while
   * the backend answers synchronously; may throw. @internal
   */
  read<T>(fn: (persistence: PersistenceLayer) => MaybePromise<T>): MaybePromise<T> {
    if (this.current.getStore()?.fs === this) return fn(this.persistence);
    return this.exclusive(fn);
  }

  /**
   * Runs a change: inside the caller's transaction (undone if it fails), or
   * as a transaction of its own committed with `message`. Synchronous while
   * the backend answers synchronously; may throw. @internal
   */
  write<T>(
    message: string,
    fn: (persistence: PersistenceLayer) => MaybePromise<T>,
  ): MaybePromise<T> {
    const persistence = this.persistence;
    if (persistence.readOnly) throw new PondError("EROFS", "read-only pond");
    if (this.current.getStore()?.fs === this) {
      const savepoint = persistence.savepoint();
      return undoOnFailure(
        () => fn(persistence),
        () => persistence.rollbackTo(savepoint),
      );
    }
    return this.exclusive(fn, message);
  }

  /** Runs `fn` holding the FS; with a commit message, as a transaction of its own. */
  private exclusive<T>(
    fn: (persistence: PersistenceLayer) => MaybePromise<T>,
    commitMessage?: string,
  ): MaybePromise<T> {
    if (this.closed) throw new PondError("CLOSED", "the pond is closed");
    const waiting = this.lock.acquire();
    if (waiting) return waiting.then(() => this.holding(fn, commitMessage));
    return this.holding(fn, commitMessage);
  }

  /** The body of {@link exclusive}, the lock taken: releases it once `fn` and its commit settle. */
  private holding<T>(
    fn: (persistence: PersistenceLayer) => MaybePromise<T>,
    commitMessage: string | undefined,
  ): MaybePromise<T> {
    const persistence = this.persistence;
    let result: MaybePromise<T>;
    try {
      if (this.closed) throw new PondError("CLOSED", "the pond is closed");
      const begun = persistence.begin();
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
    fn: (persistence: PersistenceLayer) => MaybePromise<T>,
    commitMessage: string | undefined,
  ): MaybePromise<T> {
    const persistence = this.persistence;
    if (commitMessage === undefined) return fn(persistence);
    let changed: MaybePromise<T>;
    try {
      changed = fn(persistence);
    } catch (error) {
      return rollBackThenThrow(persistence, error);
    }
    if (changed instanceof Promise) {
      return changed.then(
        (value) => commitThenReturn(persistence, commitMessage, value),
        (error: unknown) => rollBackThenThrow(persistence, error),
      );
    }
    return commitThenReturn(persistence, commitMessage, changed);
  }
}

function commitThenReturn<T>(
  persistence: PersistenceLayer,
  message: string,
  value: T,
): MaybePromise<T> {
  const committed = persistence.commit({ message });
  return committed instanceof Promise ? committed.then(() => value) : value;
}

async function rollBackThenThrow(persistence: PersistenceLayer, error: unknown): Promise<never> {
  await persistence.rollback();
  throw error;
}
