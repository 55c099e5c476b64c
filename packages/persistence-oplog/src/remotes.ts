// Named copies of a pond ("remotes"): a name and where the copy is, kept in a file of the pond's
// own directory beside its table, outside its history. A version holds data, not where this
// copy's copies are: naming a remote must not make the pond differ from the copy it names, or
// the next pull from it would be refused as a different history. Never credentials.

import { randomUUID } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PondError } from "@pond/tinyfs";
import { openRegular } from "./confined.js";
import { fromStorage } from "./native-error.js";
import { openPondTable } from "./open-oplog-fs.js";

/** Starts with `_`, so Delta readers and pond's vacuum leave it alone; copies never carry it. */
const REMOTES_FILE = "_pond_remotes.json";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_FILE = 1 << 20;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new PondError(
      "EINVAL",
      `${JSON.stringify(name)} is not a remote name (letters, digits, ., _ and -; at most 64)`,
    );
  }
}

/** A place a copy may be: a host path, `file://` or `s3://bucket/prefix`, without credentials. */
function checkPlace(place: string): void {
  if (place === "") throw new PondError("EINVAL", "a remote needs a place");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(place)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "s3" && scheme !== "file") {
    throw new PondError("EINVAL", `${scheme}:// is not a place pond copies to`);
  }
  const authority = scheme === undefined ? "" : (place.split("/")[2] ?? "");
  if (authority.includes("@") || place.includes("?") || place.includes("#")) {
    throw new PondError(
      "EINVAL",
      "a remote's URL may not carry credentials or parameters: they come from AWS_* variables",
    );
  }
  if ([...place].some((c) => c < " " || c === "\x7f")) {
    throw new PondError("EINVAL", "a remote's place may not hold control characters");
  }
}

/** The remotes the file of `pond` names; CORRUPT when it is not such a file. */
export async function readRemotes(pond: string): Promise<Record<string, string>> {
  const file = join(pond, REMOTES_FILE);
  const handle = await openRegular(file);
  if (handle === undefined) return {};
  let text: string;
  try {
    if ((await handle.stat()).size > MAX_FILE) {
      throw new PondError("CORRUPT", `${file} is larger than pond writes it`);
    }
    text = await handle.readFile("utf8");
  } catch (error) {
    throw PondError.is(error) ? error : fromStorage(error, `reading ${file}`);
  } finally {
    await handle.close();
  }
  const corrupt = (why: string) =>
    new PondError("CORRUPT", `${file} is not a list of remotes: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt((error as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw corrupt("not a JSON object");
  }
  const remotes: Record<string, string> = {};
  for (const [name, place] of Object.entries(parsed)) {
    try {
      checkName(name);
      if (typeof place !== "string") throw new PondError("EINVAL", "its place is not a string");
      checkPlace(place);
    } catch (error) {
      throw corrupt(`${JSON.stringify(name)}: ${(error as Error).message}`);
    }
    remotes[name] = place;
  }
  return remotes;
}

/** What a write of the file cut short leaves. */
export function isRemotesScratch(name: string): boolean {
  return name.startsWith(`${REMOTES_FILE}.`) && name.endsWith(".tmp");
}

/** Replaces the file of `pond` whole: a new file renamed over it, so a reader sees the old or the new. */
export async function writeRemotes(pond: string, remotes: Record<string, string>): Promise<void> {
  const file = join(pond, REMOTES_FILE);
  const sorted = Object.fromEntries(Object.entries(remotes).sort(([a], [b]) => (a < b ? -1 : 1)));
  const scratch = join(pond, `${REMOTES_FILE}.${randomUUID()}.tmp`);
  try {
    // `wx`: never through a link someone left at the scratch name, never over a file.
    await writeFile(scratch, `${JSON.stringify(sorted, null, 2)}\n`, { flag: "wx", mode: 0o644 });
    await rename(scratch, file);
  } catch (error) {
    await rm(scratch, { force: true });
    throw fromStorage(error, `writing ${file}`);
  }
}

/** Checks that `pond` holds a pond: remotes are kept only beside one. */
async function checkPond(pond: string): Promise<void> {
  (await openPondTable(pond)).close();
}

/** The pond's remotes, by name. */
export async function listRemotes(pond: string): Promise<Record<string, string>> {
  await checkPond(pond);
  return readRemotes(pond);
}

/**
 * Names the copy at `place` `name` (replacing what the name was), or with `place` null forgets
 * the name (ENOENT if there is none). Not a version of the pond: remotes are this copy's own.
 */
export async function setRemote(pond: string, name: string, place: string | null): Promise<void> {
  checkName(name);
  if (place !== null) checkPlace(place);
  await checkPond(pond);
  const remotes = await readRemotes(pond);
  if (place === null) {
    if (remotes[name] === undefined) throw new PondError("ENOENT", `no remote named ${name}`);
    delete remotes[name];
  } else {
    if (remotes[name] === place) return;
    remotes[name] = place;
  }
  await writeRemotes(pond, remotes);
}
