// A FIFO async mutex; taking a free lock costs no tick.

export class AsyncLock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** Takes the lock: undefined when it was free, else a promise settled when it is handed over. */
  acquire(): Promise<void> | undefined {
    if (!this.held) {
      this.held = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const waiting = this.acquire();
    if (waiting) await waiting;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
