// A class of crafted change to a pond, and what one change did: what fsck must find, what the
// commands must look at, what they must not print.

import type fc from "fast-check";
import type { BasePond } from "./base-pond.js";
import type { CraftContext } from "./craft-context.js";

/** Something fsck must report: found when a problem names one of `versions` or of `tokens`. */
export interface Anomaly {
  what: string;
  versions: number[];
  tokens: string[];
}

/** What a change did to a pond, for the checks and for the report of a failing case. */
export interface Crafted {
  /** The change as done: names, node ids, versions. */
  what: string;
  /** What fsck must flag; none for changes that leave valid (if unusual) data. */
  anomalies: Anomaly[];
  /** The table versions the change wrote: `show V` and `--at V` look at each. */
  versions: number[];
  /** Pond paths to `cat` and `stat`. */
  targets: string[];
  /** Targets whose newest version is a crafted bad row: reading one is CORRUPT. */
  corrupt: string[];
  /** Pond paths whose subtrees the change damaged; a walk still lists everything else. */
  damaged: string[];
  /** Names holding control characters, which human output must not print raw. */
  rawNames: string[];
  /** Log versions the change deleted: nothing may write them again. */
  missingLogVersions: number[];
}

/**
 * One class of hostile change. A local change touches one place of the tree and several go into
 * one pond; a global one (log, internal directories, the host) goes alone or beside local ones.
 */
export interface ChangeClass<T> {
  name: string;
  scope: "local" | "global";
  arbitrary(base: BasePond): fc.Arbitrary<T>;
  craft(context: CraftContext, change: T): Promise<Crafted>;
}

/** A Crafted with nothing but `what` set. */
export function crafted(what: string, fields: Partial<Omit<Crafted, "what">> = {}): Crafted {
  return {
    what,
    anomalies: [],
    versions: [],
    targets: [],
    corrupt: [],
    damaged: [],
    rawNames: [],
    missingLogVersions: [],
    ...fields,
  };
}
