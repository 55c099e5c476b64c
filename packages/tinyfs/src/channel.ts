// A one-slot async channel: the producer's push resolves once the consumer has taken the chunk.

interface Item<T> {
  value: T;
  taken: () => void;
  refused: (reason: unknown) => void;
}

export class Channel<T> implements AsyncIterable<T> {
  private readonly items: Array<Item<T>> = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private error: { reason: unknown } | undefined;

  push(value: T): Promise<void> {
    if (this.error) return Promise.reject(this.error.reason);
    return new Promise<void>((taken, refused) => {
      this.items.push({ value, taken, refused });
      this.wake();
    });
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(reason: unknown): void {
    this.error ??= { reason };
    for (const item of this.items.splice(0)) item.refused(this.error.reason);
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.error) throw this.error.reason;
      const item = this.items.shift();
      if (item) {
        item.taken();
        yield item.value;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** Why a producer's push fails once its consumer stopped early. */
const STOPPED = Symbol("consumer stopped");

/**
 * The values `produce` pushes, as an async iterable: nothing runs until iteration starts, the
 * producer waits for the consumer at each value, and stopping early (a `break`) makes its next
 * push fail and waits for it to wind down. `wrap` maps the producer's failures.
 */
export function produced<T>(
  produce: (push: (value: T) => Promise<void>) => Promise<void>,
  wrap: (error: unknown) => unknown = (error) => error,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const channel = new Channel<T>();
      const running = produce((value) => channel.push(value)).then(
        () => channel.end(),
        (error: unknown) => channel.fail(error === STOPPED ? error : wrap(error)),
      );
      const values = channel[Symbol.asyncIterator]();
      return {
        next: () => values.next(),
        async return(): Promise<IteratorResult<T>> {
          channel.fail(STOPPED);
          await running;
          return { done: true, value: undefined };
        },
      };
    },
  };
}
