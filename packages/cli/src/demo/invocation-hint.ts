// After `npm run demo`, `pond` is usually not on the PATH: say how to run the commands the demo suggests.

import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A line telling how to get a `pond` command, or undefined when one is on the PATH already. */
export async function invocationHint(
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    try {
      await access(join(dir, "pond"), constants.X_OK);
      return undefined;
    } catch {
      // Not in this directory.
    }
  }
  const bin = fileURLToPath(new URL("./bin.js", import.meta.url));
  return `pond is not on your PATH; to run these, first: alias pond='node ${bin}'`;
}
