// The `pond` executable.

import { raisePendingSignal } from "./interrupts.js";
import { main } from "./main.js";

// A failed write reaches the write that made it (io.ts), which ends the command with one line;
// these listeners only keep Node from also throwing the stream's error event.
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);

process.exitCode = await main(process.argv.slice(2));
// A command that caught Ctrl-C has cleaned up and said so; it now ends as interrupted commands do.
raisePendingSignal();
