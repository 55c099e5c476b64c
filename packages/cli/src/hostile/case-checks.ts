// What must hold after pond ran on a hostile pond, each check returning the violations it found.

import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BasePond } from "./base-pond.js";
import { SECRET, type Workspace } from "./canary-tree.js";
import type { CommandRun } from "./case-commands.js";
import type { Anomaly, Crafted } from "./crafted-change.js";
import { LOG_DIR, logEntryName } from "./delta-log.js";
import { HANG_GUARD_MS, RSS_LIMIT_BYTES, type WatchedRun } from "./watched-run.js";

const MiB = 1024 * 1024;

/** Error codes a pond error line may carry: pond's own, errno names, and USAGE. */
const CODE = /^pond: (E[A-Z0-9]+|CONFLICT|CORRUPT|CLOSED|USAGE): /;
/** Signs of a crash rather than an error pond reported. */
const CRASH = /FATAL ERROR|panicked at|^\s+at |Segmentation fault|Aborted|core dumped/m;
/** Whether text holds a character a terminal acts on: C0 but tab and newline, DEL, C1. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Everything one command must have done, each violation prefixed with its command line. */
export function commandViolations(
  { command, run }: CommandRun,
  crafted: readonly Crafted[],
  workspace: Workspace,
): string[] {
  const found = mannersViolations(run);
  if (command.human)
    found.push(
      ...controlViolations(
        run,
        crafted.flatMap((c) => c.rawNames),
      ),
    );
  if (command.corrupt) found.push(...corruptReadViolations(run));
  if (command.newest) {
    found.push(
      ...silentGapViolations(
        run,
        crafted.flatMap((c) => c.missingLogVersions),
      ),
    );
  }
  const line = commandLine(run, workspace);
  return found.map((violation) => `${line}: ${violation}`);
}

/** The command as a report shows it: without `--pond`, host paths relative to the workspace. */
function commandLine(run: Pick<WatchedRun, "args">, workspace: Workspace): string {
  const args = run.args[0] === "--pond" ? run.args.slice(2) : run.args;
  const quoted = args.map((arg) => {
    const shown = arg.startsWith(`${workspace.root}/`) ? arg.slice(workspace.root.length + 1) : arg;
    return /^[\w@%+=:,./-]+$/.test(shown) ? shown : JSON.stringify(shown);
  });
  return `pond ${quoted.join(" ")}`;
}

/** The line of stderr that says what crashed; for a stack trace, the error line above it. */
function crashLine(stderr: string, at: number): string {
  const lines = stderr.slice(0, at).split("\n");
  const end = stderr.indexOf("\n", at);
  const line = stderr.slice(at, end === -1 ? undefined : end).trim();
  const above = lines.filter((l) => l.trim() !== "").pop();
  return line.startsWith("at ") && above ? `${above.trim()} ${line}` : line;
}

const firstLines = (text: string) => JSON.stringify(text.split("\n").slice(0, 6).join("\n"));

/**
 * The command ended by itself, within the memory bound, with status 0, or 1 or 2 and one
 * `pond: CODE: …` line on stderr per problem (a walk reports each entry it skips, once; a usage
 * error adds a hint), never a stack trace; it printed no canary file's contents.
 */
function mannersViolations(run: WatchedRun): string[] {
  const found: string[] = [];
  const rss = `${Math.round(run.peakRssBytes / MiB)} MiB`;
  if (run.killed === "hang") found.push(`still running after ${HANG_GUARD_MS / 1000} s: killed`);
  if (run.killed === "memory")
    found.push(`peak RSS passed ${RSS_LIMIT_BYTES / MiB} MiB: killed at ${rss}`);
  else if (run.peakRssBytes > RSS_LIMIT_BYTES) found.push(`peak RSS ${rss}`);
  if (run.killed) return found;
  if (run.signal) found.push(`died of ${run.signal}`);
  else if (run.code !== 0 && run.code !== 1 && run.code !== 2)
    found.push(`exit status ${run.code}`);
  const crash = CRASH.exec(run.stderr);
  if (crash) found.push(`crashed: ${JSON.stringify(crashLine(run.stderr, crash.index))}`);
  else if (run.code === 1 || run.code === 2) {
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    const errors = lines.filter((line) => line.startsWith("pond: "));
    const others = lines.length - errors.length;
    const repeated = new Set(errors).size !== errors.length;
    const allowed = run.code === 1 ? errors.length >= 1 && others === 0 : errors.length === 1;
    if (!allowed || repeated) {
      found.push(`exit status ${run.code} with stderr ${firstLines(run.stderr)}`);
    } else {
      const uncoded = errors.find((line) => !CODE.test(line));
      if (uncoded)
        found.push(`an error line without a pond error code: ${JSON.stringify(uncoded)}`);
    }
  }
  if (run.leaked) found.push("printed the contents of a canary file outside the pond");
  return found;
}

/** Reading a crafted bad row fails with CORRUPT rather than printing something. */
function corruptReadViolations(run: WatchedRun): string[] {
  if (run.code === 1 && run.stderr.startsWith("pond: CORRUPT: ")) return [];
  return [
    `reading a crafted bad row was not CORRUPT (exit ${run.code}, ${run.stdoutBytes} bytes out)`,
  ];
}

/** Human output escapes control characters, and names holding them are never printed raw. */
function controlViolations(run: WatchedRun, rawNames: readonly string[]): string[] {
  const found: string[] = [];
  const stdout = run.stdout.toString("utf8");
  if (hasControl(stdout)) found.push("printed a raw control character on stdout");
  if (hasControl(run.stderr)) found.push("printed a raw control character on stderr");
  for (const name of rawNames) {
    if (stdout.includes(name) || run.stderr.includes(name)) {
      found.push(`printed the name ${JSON.stringify(name)} raw`);
    }
  }
  return found;
}

/** The export targets hold no canary contents. */
export async function exportLeaks(workspace: Workspace): Promise<string[]> {
  const found: string[] = [];
  for (const dir of workspace.exportDirs) {
    for (const file of await filesUnder(dir)) {
      if ((await readFile(file)).includes(SECRET))
        found.push(`export wrote canary contents to ${file}`);
    }
  }
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

interface FsckProblem {
  version?: number;
  [key: string]: unknown;
}

/** The problems `pond fsck --json` reported, or undefined when it printed no report. */
function fsckProblems(run: WatchedRun): FsckProblem[] | undefined {
  try {
    const report = JSON.parse(run.stdout.toString("utf8")) as { problems?: FsckProblem[] };
    return Array.isArray(report.problems) ? report.problems : undefined;
  } catch {
    return undefined;
  }
}

/** Whether fsck's report (or, when it could not make one, its error line) names the anomaly. */
function flagged(anomaly: Anomaly, problems: FsckProblem[] | undefined, stderr: string): boolean {
  if (problems) {
    return problems.some(
      (problem) =>
        (problem.version !== undefined && anomaly.versions.includes(problem.version)) ||
        anomaly.tokens.some((token) => JSON.stringify(problem).includes(token)),
    );
  }
  return (
    anomaly.tokens.some((token) => stderr.includes(token)) ||
    anomaly.versions.some((v) => new RegExp(`\\bversions? ${v}\\b`).test(stderr))
  );
}

/** fsck reports every anomaly required of it, and nothing at all on a pond with none. */
export function fsckViolations(
  run: WatchedRun,
  anomalies: readonly Anomaly[],
  clean: boolean,
): string[] {
  const problems = fsckProblems(run);
  if (clean) {
    return run.code === 0 && problems?.length === 0
      ? []
      : [
          `fsck found problems in a pond with nothing wrong: ${firstLines(`${run.stdout}${run.stderr}`)}`,
        ];
  }
  return anomalies
    .filter((anomaly) => !flagged(anomaly, problems, run.stderr))
    .map((anomaly) => `fsck did not report: ${anomaly.what}`);
}

/** Nothing wrote a log entry the change deleted: a gap is never committed into. */
export function gapViolations(workspace: Workspace, crafted: readonly Crafted[]): string[] {
  return crafted.flatMap((c) =>
    c.missingLogVersions
      .filter((v) => existsSync(join(workspace.pondDir, LOG_DIR, logEntryName(v))))
      .map((v) => `version ${v}, deleted from the log, was written again (${logEntryName(v)})`),
  );
}

/**
 * With a log entry missing, a command reading the newest version says so (an error, or a word
 * on stderr) rather than quietly showing the pond as it was before the hole.
 */
function silentGapViolations(run: WatchedRun, missing: readonly number[]): string[] {
  if (missing.length === 0 || run.code !== 0 || run.stderr.trim() !== "") return [];
  return [
    `read the pond without a word about the missing log entry of version ${missing.join(", ")}`,
  ];
}

/** The base files outside every damaged subtree: a walk must still reach them. */
export function undamagedFiles(base: BasePond, crafted: readonly Crafted[]): string[] {
  const damaged = crafted.flatMap((c) => c.damaged);
  const under = (path: string, dir: string) =>
    dir === "/" || path === dir || path.startsWith(`${dir}/`);
  return [...base.files.keys()].filter((path) => !damaged.some((dir) => under(path, dir)));
}

/** `ls -l '**'` lists every undamaged file: one bad entry is reported and skipped. */
export function walkViolations(
  walk: WatchedRun,
  files: readonly string[],
  workspace: Workspace,
): string[] {
  const listed = walk.stdout.toString("utf8");
  const line = commandLine(walk, workspace);
  return files
    .filter((path) => !listed.includes(path))
    .map((path) => `${line}: did not list ${path}`);
}

/** `export -r / OUT` wrote every undamaged file with its bytes. */
export async function exportSurvival(
  base: BasePond,
  out: string,
  files: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (const path of files) {
    const bytes = await readFile(join(out, path)).catch(() => undefined);
    const expected = base.files.get(path) as Uint8Array;
    if (!bytes) found.push(`export -r / did not write ${path}`);
    else if (!bytes.equals(expected)) found.push(`export -r / wrote other bytes for ${path}`);
  }
  return found;
}
