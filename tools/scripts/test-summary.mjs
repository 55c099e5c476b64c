// Sums the tests of one turbo run into one line, "N passed, N failed" (", N skipped" when some
// were). It reads the run's summary (turbo --summarize) and, in the log of every test task, the
// closing lines of the runners a package may use: vitest's "Tests  2 failed | 40 passed (42)" and
// libtest's (cargo test) "test result: ok. 12 passed; 0 failed; 1 ignored; …". A test task that
// failed without a failed test counted, or never ran, counts as one failure.
import { readFileSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";

const [summaryFile] = process.argv.slice(2);
if (!summaryFile) {
  console.error("usage: test-summary.mjs TURBO_RUN_SUMMARY.json");
  process.exit(2);
}

const totals = { passed: 0, failed: 0, skipped: 0 };

const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
for (const task of summary.tasks.filter((t) => t.task === "test")) {
  const counts = countsOf(task.logFile);
  const exitCode = task.execution?.exitCode;
  if (exitCode !== 0 && counts.failed === 0) {
    counts.failed = 1;
    console.error(`${task.taskId}: ${exitCode === undefined ? "did not run" : "failed"}`);
  }
  for (const key of Object.keys(totals)) totals[key] += counts[key];
}

const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);

function countsOf(logFile) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let log;
  try {
    log = stripVTControlCharacters(readFileSync(logFile, "utf8"));
  } catch {
    return counts;
  }
  let failedFiles = 0;
  for (const line of log.split("\n")) {
    const vitest = /^\s*(Test Files|Tests)\s+(.*)\(\d+\)\s*$/.exec(line);
    if (vitest) {
      const parts = Object.fromEntries(
        [...vitest[2].matchAll(/(\d+) (passed|failed|skipped|todo)/g)].map((m) => [m[2], +m[1]]),
      );
      if (vitest[1] === "Test Files") {
        failedFiles += parts.failed ?? 0;
      } else {
        counts.passed += parts.passed ?? 0;
        counts.failed += parts.failed ?? 0;
        counts.skipped += (parts.skipped ?? 0) + (parts.todo ?? 0);
      }
      continue;
    }
    const libtest = /test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(line);
    if (libtest) {
      counts.passed += +libtest[1];
      counts.failed += +libtest[2];
      counts.skipped += +libtest[3];
    }
  }
  // A test file that failed to load fails no test, but is a failure all the same.
  if (counts.failed === 0) counts.failed = failedFiles;
  return counts;
}
