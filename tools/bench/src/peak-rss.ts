// Peak resident memory of a command, read from the kernel's accounting of a finished child.

import { execFileSync } from "node:child_process";

const PROBE = [
  "import resource, subprocess, sys",
  "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)",
  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
].join("\n");

/** The peak RSS of `command args…` in MiB. */
export function peakRss(command: string, args: string[]): number {
  const kib = execFileSync("python3", ["-c", PROBE, command, ...args])
    .toString()
    .trim();
  return Number(kib) / 1024;
}
