// Starting writer.mjs child processes from tests.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const WRITER = fileURLToPath(new URL("./writer.mjs", import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

export function startWriter(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [WRITER, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => {
      const lines = stdout
        .split("\n")
        .filter((line) => line.startsWith("{") && line.endsWith("}"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, signal, lines, stderr });
    });
  });
  return { child, done };
}

export async function runWriter(
  args: string[],
  env: Record<string, string> = {},
): Promise<Finished> {
  const finished = await startWriter(args, env).done;
  if (finished.code !== 0) {
    throw new Error(`writer ${args.join(" ")} exited ${finished.code}: ${finished.stderr}`);
  }
  return finished;
}
