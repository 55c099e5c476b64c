// pond clone, push and pull: copies of a pond in another directory or on an S3-compatible
// store, brought up to date a version at a time.

import { isAbsolute, resolve } from "node:path";
import type { CopyPondReport } from "@pond/persistence-oplog";
import { PondError } from "@pond/tinyfs";
import type { Command, CommandContext } from "../command.js";
import { UsageError } from "../errors.js";
import { write, writeLines } from "../io.js";
import { toJson } from "../output/json.js";
import { formatBytes } from "../output/units.js";

const loadOplog = () => import("@pond/persistence-oplog");

const PLACES = [
  "A copy is a directory or an s3://bucket/prefix URL. The store's settings come from",
  "the usual variables: AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,",
  "AWS_SECRET_ACCESS_KEY (and AWS_ALLOW_HTTP=true for a local server); they are",
  "never written anywhere. COPY may also be a remote's name (`pond remote`); without",
  "it, the remote named origin, which `pond clone` names for its source.",
];

/** A directory operand resolved against the working directory; a URL as given. */
function place(operand: string, context: CommandContext): string {
  if (operand.includes("://") || isAbsolute(operand)) return operand;
  return resolve(context.io.cwd, operand);
}

/** The place a push or pull names: one of the pond's remotes by name, else a place. */
async function copyOf(
  operand: string | undefined,
  pond: string,
  context: CommandContext,
): Promise<string> {
  const { listRemotes } = await loadOplog();
  const remotes = await listRemotes(pond);
  if (operand !== undefined) return remotes[operand] ?? place(operand, context);
  if (remotes.origin !== undefined) return remotes.origin;
  throw new UsageError("name the copy: the pond has no remote named origin");
}

/** The pond's own directory: copies are made of op-log ponds. */
function pondDirectory(context: CommandContext, command: string): string {
  if (context.location.scheme !== "file") {
    throw new PondError("ENOTSUP", `the ${context.location.scheme} backend has no ${command}`, {
      path: context.location.display,
    });
  }
  return context.location.path;
}

async function report(
  context: CommandContext,
  copied: CopyPondReport,
  verb: string,
  where: string,
): Promise<void> {
  if (context.json) return write(context.io.stdout, toJson(copied));
  const line =
    copied.versions === 0
      ? (copied.destinationVersion ?? -1) > copied.sourceVersion
        ? `${where} is ahead (version ${copied.destinationVersion}, this side ${copied.sourceVersion}): nothing to copy`
        : `${where} is up to date at version ${copied.sourceVersion}`
      : `${verb} ${copied.versions} version${copied.versions === 1 ? "" : "s"} (${copied.files} files, ${formatBytes(copied.bytes)}): ${where} is at version ${copied.sourceVersion}`;
  await writeLines(context.io.stdout, [line]);
}

export const clone: Command = {
  name: "clone",
  summary: "copy a pond, every version, into a new directory",
  usage: "pond clone SOURCE DIR",
  description: [
    "Copies every version of the pond at SOURCE into DIR, which must be new or empty.",
    "The copy is a pond of its own, with SOURCE as its remote origin: `pond pull` brings",
    "it up to date later. A clone cut short is finished by running it again.",
    ...PLACES,
  ],
  options: {},
  operands: { min: 2, max: 2 },
  json: true,
  examples: [{ command: "pond clone s3://bucket/weather weather", explanation: "a local copy" }],
  async run(context, input) {
    const [source = "", dir = ""] = input.operands;
    const { clonePond } = await loadOplog();
    const target = place(dir, context);
    await report(context, await clonePond(place(source, context), target), "cloned", target);
  },
};

export const push: Command = {
  name: "push",
  summary: "copy the versions a copy of the pond lacks to it",
  usage: "pond push [COPY]",
  description: [
    "Copies the pond's versions that COPY lacks: data and large files first, then each",
    "log entry, written only if no writer has taken its version (CONFLICT otherwise).",
    "CONFLICT, and nothing copied, when the two have different histories. An",
    "interrupted push is finished by running it again. COPY is created if absent.",
    ...PLACES,
  ],
  options: {},
  operands: { min: 0, max: 1 },
  json: true,
  examples: [{ command: "pond push s3://bucket/weather", explanation: "publish new versions" }],
  async run(context, input) {
    const here = pondDirectory(context, "push");
    const target = await copyOf(input.operands[0], here, context);
    const { copyPond } = await loadOplog();
    await report(context, await copyPond(here, target), "pushed", target);
  },
};

export const pull: Command = {
  name: "pull",
  summary: "copy the versions the pond lacks from a copy of it",
  usage: "pond pull [COPY]",
  description: [
    "Copies COPY's versions that the pond lacks into it, as push does the other way.",
    "CONFLICT, and nothing copied, when the two have different histories.",
    ...PLACES,
  ],
  options: {},
  operands: { min: 0, max: 1 },
  json: true,
  examples: [{ command: "pond pull s3://bucket/weather", explanation: "fetch new versions" }],
  async run(context, input) {
    const here = pondDirectory(context, "pull");
    const source = await copyOf(input.operands[0], here, context);
    const { copyPond } = await loadOplog();
    await report(context, await copyPond(source, here), "pulled", context.location.display);
  },
};

export const remote: Command = {
  name: "remote",
  summary: "name the pond's copies, for push and pull",
  usage: "pond remote add NAME COPY | remote list | remote remove NAME",
  description: [
    "Keeps names for the pond's copies in its directory, beside its table and outside",
    "its history (copies of the pond do not carry them), so `pond push NAME` and",
    "`pond pull NAME` find them. Only the place is kept: a URL with credentials in it",
    "is refused.",
  ],
  options: {},
  operands: { min: 1, max: 3 },
  json: true,
  examples: [
    { command: "pond remote add origin s3://bucket/weather", explanation: "name a copy" },
    { command: "pond push origin", explanation: "then push to it by name" },
  ],
  async run(context, input) {
    const [action, name, copy] = input.operands;
    const here = pondDirectory(context, "remote");
    const { listRemotes, setRemote } = await loadOplog();
    const wants = (count: number) => {
      if (input.operands.length !== count) {
        throw new UsageError(
          `pond remote ${action} takes ${count - 1} operand${count === 2 ? "" : "s"}`,
        );
      }
    };
    if (action === "add") {
      wants(3);
      await setRemote(here, name ?? "", place(copy ?? "", context));
    } else if (action === "remove") {
      wants(2);
      await setRemote(here, name ?? "", null);
    } else if (action === "list") {
      wants(1);
      const remotes = await listRemotes(here);
      if (context.json) await write(context.io.stdout, toJson(remotes));
      else
        await writeLines(
          context.io.stdout,
          Object.entries(remotes).map(([n, p]) => `${n}\t${p}`),
        );
    } else {
      throw new UsageError(
        `pond remote: unknown action ${JSON.stringify(action)} (add, list, remove)`,
      );
    }
  },
};
