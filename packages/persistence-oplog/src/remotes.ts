// Named copies of a pond ("remotes"): a name and where the copy is, kept in the pond's own
// table properties, so they travel with it and every version records them. Never credentials.

import { PondError } from "@pond/tinyfs";
import { commitExactly } from "./maintenance.js";
import { openPondTable } from "./open-oplog-fs.js";

const PREFIX = "pond.remote.";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
  if (place === "") throw new PondError("EINVAL", "a remote needs a place");
}

/** The pond's remotes, by name. */
export async function listRemotes(pond: string): Promise<Record<string, string>> {
  const table = await openPondTable(pond);
  try {
    const remotes: Record<string, string> = {};
    for (const [key, value] of Object.entries(table.properties()).sort()) {
      if (key.startsWith(PREFIX) && value !== "") remotes[key.slice(PREFIX.length)] = value;
    }
    return remotes;
  } finally {
    table.close();
  }
}

/**
 * Names the copy at `place` `name` (replacing what the name was), or with `place` null forgets
 * the name (ENOENT if there is none). One version of the pond either way.
 */
export async function setRemote(pond: string, name: string, place: string | null): Promise<void> {
  checkName(name);
  if (place !== null) checkPlace(place);
  const table = await openPondTable(pond);
  try {
    await commitExactly(table, async (version) => {
      const current = table.properties()[PREFIX + name];
      if (place === null && (current === undefined || current === "")) {
        throw new PondError("ENOENT", `no remote named ${name}`);
      }
      if (current === place) return true;
      // Table properties are merged, never removed: an empty place is no remote.
      return table.setProperties({ [PREFIX + name]: place ?? "" }, version);
    });
  } finally {
    table.close();
  }
}
