// A command run to its end as a child, measured by the kernel: its peak resident memory and wall time.

import { execFileSync } from "node:child_process";

const PROBE = [
  "import resource, subprocess, sys, time",
  "start = time.perf_counter()",
  "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)",
  "elapsed = time.perf_counter() - start",
  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, elapsed)",
].join("\n");

export interface ProcessCost {
  /** Peak resident memory in MiB. */
  peakMiB: number;
  /** Wall time from start to exit in ms. */
  ms: number;
}

/** The peak RSS and wall time of `command args…` (its standard output discarded). */
export function processCost(command: string, args: string[]): ProcessCost {
  const [kib, seconds] = execFileSync("python3", ["-c", PROBE, command, ...args])
    .toString()
    .trim()
    .split(" ");
  return { peakMiB: Number(kib) / 1024, ms: Number(seconds) * 1000 };
}
