// Browsers have no AsyncLocalStorage (nor yet the AsyncContext proposal): a value is
// current from the start of `run` until the promise its function returns settles. So
// while a transaction of an FS runs, every call on that FS joins it, including calls
// that did not come from the transaction's function: start transactions one at a time.

/** Whether calls are told apart by the async call chain they belong to. */
export const TRACKS_ASYNC_CALLS = false;

/** The part of Node's AsyncLocalStorage that pond uses. */
export class AsyncContext<T> {
  private store: T | undefined;

  getStore(): T | undefined {
    return this.store;
  }

  run<R>(store: T, fn: () => R): R {
    const outer = this.store;
    this.store = store;
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.store = outer;
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.store = outer;
      return result;
    }
    const restore = () => {
      this.store = outer;
    };
    result.then(restore, restore);
    return result;
  }

  disable(): void {
    this.store = undefined;
  }
}
