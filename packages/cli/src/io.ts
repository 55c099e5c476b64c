// Where a command's output goes: the process's streams, or test doubles.

import type { Writable } from "node:stream";

/** A writable stream that may be a terminal. */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

/** The outside world a command sees. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  /** The directory relative host paths and the default pond are resolved against. */
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Writes `chunk` and waits until the stream can take more, so large outputs do not pile up. */
export function write(stream: OutputStream, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    stream.once("error", onError);
    const flushed = stream.write(chunk, (error) => {
      if (error) reject(error);
    });
    const done = () => {
      stream.off("error", onError);
      resolve();
    };
    if (flushed) done();
    else stream.once("drain", done);
  });
}

/** Writes lines, each ending with a newline. */
export function writeLines(stream: OutputStream, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  return write(stream, `${lines.join("\n")}\n`);
}
