// Ctrl-C and SIGTERM during long work: the work stops at its next check and cleans up, then the
// process ends by the same signal, as a shell expects of an interrupted command.

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type Signal = (typeof SIGNALS)[number];

/** Thrown by {@link Interrupts.check} once a signal came: the command undoes its work and ends. */
export class Interrupted extends Error {
  constructor(
    readonly signal: Signal,
    /** What became of the work, for the error line. */
    readonly outcome: string,
  ) {
    super(`interrupted by ${signal}: ${outcome}`);
    this.name = "Interrupted";
  }
}

let received: Signal | undefined;
let catching = 0;

function onSignal(signal: Signal): void {
  // A second signal does not wait for the clean-up.
  if (received !== undefined) raise(signal);
  received = signal;
}

/** Where long work looks for a signal. */
export interface Interrupts {
  /** Throws {@link Interrupted}, saying `outcome`, if a signal came. */
  check(outcome: string): void;
  /** Stops catching signals (one that came is still raised by {@link raisePendingSignal}). */
  release(): void;
}

/** Catches SIGINT and SIGTERM until `release()`, so that work can stop at a point of its choosing. */
export function catchInterrupts(): Interrupts {
  if (catching++ === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  let released = false;
  return {
    check(outcome) {
      if (received !== undefined) throw new Interrupted(received, outcome);
    },
    release() {
      if (released) return;
      released = true;
      if (--catching === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

/** Ends the process by the signal that interrupted it, if one did; call once its output is out. */
export function raisePendingSignal(): void {
  if (received !== undefined) raise(received);
}

function raise(signal: Signal): void {
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
}
