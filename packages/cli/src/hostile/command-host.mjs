// The built pond command run in this one process, one command line after another, for the
// hostile-pond suite: each command costs its own work rather than a Node start. The parent sends
// a command line, watches this process's peak RSS (reset here before each command) and its time,
// and gets back the exit status and what was written to stdout and stderr.

import { readFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { main } from "../../dist/index.js";

/** Output kept for the checks and messages; beyond it, output is only counted and searched. */
const KEPT_BYTES = 32 * 1024 * 1024;

/** A stream that keeps the start of what it is given, counts it, and looks for `secret`. */
function collector(secret) {
  const chunks = [];
  let bytes = 0;
  let tail = "";
  let leaked = false;
  const stream = new Writable({
    write(chunk, _encoding, done) {
      if (bytes < KEPT_BYTES) chunks.push(chunk.subarray(0, KEPT_BYTES - bytes));
      bytes += chunk.length;
      const text = tail + chunk.toString("latin1");
      if (text.includes(secret)) leaked = true;
      tail = text.slice(-secret.length);
      done();
    },
  });
  return { stream, result: () => ({ kept: Buffer.concat(chunks), bytes, leaked }) };
}

process.on("message", async ({ args, cwd, env, secret }) => {
  // What earlier commands left for the collector is not this command's memory.
  globalThis.gc?.();
  // "5" resets VmHWM to the current RSS: the peak the parent reads is this command's.
  writeFileSync("/proc/self/clear_refs", "5");
  const stdout = collector(secret);
  const stderr = collector(secret);
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env, cwd });
  // The command's peak, before the reply is assembled and copied: that is the suite's cost.
  const status = readFileSync("/proc/self/status", "utf8");
  process.send({ finished: Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024 });
  process.send({ code, stdout: stdout.result(), stderr: stderr.result() });
});
