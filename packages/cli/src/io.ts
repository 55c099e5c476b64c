// Where a command's output goes: the process's streams, or test doubles.

import type { Writable } from "node:stream";
import { hostError } from "./errors.js";

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
    const failed = (error: Error) => {
      stream.off("error", failed);
      reject(hostError(error, streamName(stream)));
    };
    // A stream that failed before (a full disk, a closed pipe) fails every write after.
    if (stream.errored) return failed(stream.errored);
    stream.once("error", failed);
    const flushed = stream.write(chunk, (error) => {
      if (error) failed(error);
    });
    const done = () => {
      stream.off("error", failed);
      resolve();
    };
    if (flushed) done();
    else stream.once("drain", done);
  });
}

/** Output written a line at a time, sent in batches: a long listing is neither one huge string nor a write per line. */
export class LineWriter {
  private batch = "";

  constructor(private readonly stream: OutputStream) {}

  /** Adds `line` and a newline. */
  async line(line: string): Promise<void> {
    this.batch += `${line}\n`;
    if (this.batch.length >= BATCH_CHARS) await this.flush();
  }

  /** Writes what is batched. */
  async flush(): Promise<void> {
    if (this.batch === "") return;
    const batch = this.batch;
    this.batch = "";
    await write(this.stream, batch);
  }
}

const BATCH_CHARS = 64 * 1024;

/** Writes lines, each ending with a newline. */
export async function writeLines(stream: OutputStream, lines: Iterable<string>): Promise<void> {
  const out = new LineWriter(stream);
  for (const line of lines) await out.line(line);
  await out.flush();
}

/** How errors name a stream: stdout and stderr by their file descriptors. */
function streamName(stream: OutputStream): string {
  const fd = (stream as { fd?: number }).fd;
  return fd === 1 ? "stdout" : fd === 2 ? "stderr" : "output";
}
