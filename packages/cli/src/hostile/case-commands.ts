// The pond commands a hostile case runs: every read command (the `--at` variants included) on
// the base's paths and on what was crafted, then fsck, maintain with a short retention, fsck.

import type { BasePond } from "./base-pond.js";
import type { Workspace } from "./canary-tree.js";
import type { Crafted } from "./crafted-change.js";
import type { CommandHost, WatchedRun } from "./watched-run.js";

export interface PlannedCommand {
  /** The arguments after `pond --pond DIR`. */
  args: string[];
  /** Human output: control characters must be escaped in it. */
  human: boolean;
  /** Reads the newest version: with a hole in the log it must say so. */
  newest: boolean;
  /** Reads a crafted bad row: it must end with CORRUPT. */
  corrupt: boolean;
}

export interface CommandRun {
  command: PlannedCommand;
  run: WatchedRun;
}

function command(args: string[], fields: Partial<Omit<PlannedCommand, "args">> = {}) {
  return { args, human: true, newest: true, corrupt: false, ...fields };
}

/** Every read command for the base and for what was crafted. */
export function readCommands(
  base: BasePond,
  crafted: readonly Crafted[],
  workspace: Workspace,
): PlannedCommand[] {
  const [out, outAt] = workspace.exportDirs as [string, string];
  const at = String(base.model.version);
  const older = { newest: false };
  const commands = [
    command(["ls"]),
    command(["ls", "-l", "**"]),
    command(["cat", ...base.files.keys()], { human: false }),
    command(["stat", base.series]),
    command(["log"]),
    command(["show"]),
    command(["export", "-r", "/", out]),
    command(["downsample", base.series, "--resolution", "1h"]),
    command(["ls", "-l", "--at", at, "**"], older),
    command(["export", "-r", "--at", at, "/", outAt], older),
  ];
  const versions = [...new Set(crafted.flatMap((c) => c.versions))].sort((a, b) => a - b);
  if (versions.length > 0)
    commands.push(command(["ls", "-l", "--at", String(versions[0]), "**"], older));
  for (const version of versions) commands.push(command(["show", String(version)], older));
  const corrupt = new Set(crafted.flatMap((c) => c.corrupt));
  // A NUL cannot cross a command line; the walks meet those names.
  const targets = new Set(crafted.flatMap((c) => c.targets).filter((t) => !t.includes("\0")));
  for (const target of targets) {
    commands.push(
      command(["cat", target], { human: false, corrupt: corrupt.has(target) }),
      command(["stat", target]),
    );
  }
  return commands;
}

/** What runs after the reads, one at a time: fsck (whose report is checked), maintain, fsck. */
export const CLOSING_COMMANDS: readonly PlannedCommand[] = [
  command(["fsck", "--json"], { human: false, newest: false }),
  command(["maintain", "--retention", "1s"], { newest: false }),
  command(["fsck"], { newest: false }),
];

/** Runs the commands on the case's pond in the workspace, one host each at a time. */
export async function runCommands(
  commands: readonly PlannedCommand[],
  workspace: Workspace,
  hosts: readonly CommandHost[],
): Promise<CommandRun[]> {
  const results: CommandRun[] = [];
  let next = 0;
  const worker = async (host: CommandHost) => {
    for (let i = next++; i < commands.length; i = next++) {
      const planned = commands[i] as PlannedCommand;
      const run = await host.run(["--pond", workspace.pondDir, ...planned.args], workspace.root);
      results[i] = { command: planned, run };
    }
  };
  await Promise.all(hosts.map(worker));
  return results;
}
