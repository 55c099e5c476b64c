// The FS coordinator (Layer 2): transactions and access to the persistence layer.

import { AsyncLocalStorage } from "node:async_hooks";
import { PondError } from "./errors.js";
import { AsyncLock } from "./lock.js";
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
  private readonly current = new AsyncLocalStorage<Transaction>();
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
  history(): Promise<CommitInfo[]> {
    return this.read(() => this.persistence.history());
  }

  /** The newest version this FS sees. */
  async version(): Promise<number> {
    return this.read(async () => this.persistence.currentVersion());
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

  /** Runs a read: inside the caller's transaction, or alone. @internal */
  read<T>(fn: (persistence: PersistenceLayer) => Promise<T>): Promise<T> {
    if (this.current.getStore()?.fs === this) return fn(this.persistence);
    return this.exclusive(fn);
  }

  /**
   * Runs a change: inside the caller's transaction (undone if it fails), or
   * as a transaction of its own committed with `message`. @internal
   */
  write<T>(message: string, fn: (persistence: PersistenceLayer) => Promise<T>): Promise<T> {
    if (this.persistence.readOnly) {
      return Promise.reject(new PondError("EROFS", "read-only pond"));
    }
    if (this.current.getStore()?.fs === this) {
      const savepoint = this.persistence.savepoint();
      return fn(this.persistence).catch((error: unknown) => {
        this.persistence.rollbackTo(savepoint);
        throw error;
      });
    }
    return this.exclusive(fn, message);
  }

  /** Runs `fn` holding the FS; with a commit message, as a transaction of its own. */
  private async exclusive<T>(
    fn: (persistence: PersistenceLayer) => Promise<T>,
    commitMessage?: string,
  ): Promise<T> {
    if (this.closed) throw new PondError("CLOSED", "the pond is closed");
    const waiting = this.lock.acquire();
    if (waiting) await waiting;
    try {
      if (this.closed) throw new PondError("CLOSED", "the pond is closed");
      const begun = this.persistence.begin();
      if (begun) await begun;
      if (commitMessage === undefined) return await fn(this.persistence);
      let result: T;
      try {
        result = await fn(this.persistence);
      } catch (error) {
        await this.persistence.rollback();
        throw error;
      }
      await this.persistence.commit({ message: commitMessage });
      return result;
    } finally {
      this.lock.release();
    }
  }
}
