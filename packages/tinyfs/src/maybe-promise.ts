// Values that are at hand or still coming: hot paths answered from memory stay synchronous.

/**
 * A value, or a promise of it: hot lookups answered from memory skip a tick.
 * The promise must be a native Promise: callers tell the two apart with `instanceof`.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Applies `next` to `value` now, or once its promise resolves. */
export function andThen<T, U>(
  value: MaybePromise<T>,
  next: (value: T) => MaybePromise<U>,
): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs `fn`; when it fails, now or later, runs `undo` and passes the failure on. */
export function undoOnFailure<T>(
  fn: () => MaybePromise<T>,
  undo: () => MaybePromise<unknown>,
): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = fn();
  } catch (error) {
    return undoThenThrow(undo, error);
  }
  return result instanceof Promise ? result.catch((error) => undoThenThrow(undo, error)) : result;
}

function undoThenThrow(undo: () => MaybePromise<unknown>, error: unknown): MaybePromise<never> {
  return andThen(undo(), () => {
    throw error;
  });
}

/** The outcome of `fn` as a promise, a synchronous throw included. */
export function settle<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const result = fn();
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}
