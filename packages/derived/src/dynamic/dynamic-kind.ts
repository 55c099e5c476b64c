// What a kind of dynamic node is: how it reads its config and what outputs it computes from it.

import type { FileEntryType, WD } from "@pond/tinyfs";
import type { DerivedFile, DerivedFileManager } from "../derived-file-manager.js";
import type { ConfigReader } from "./config-reader.js";

/** One computed file of a dynamic node. */
export interface DynamicOutput {
  /** Its names below the dynamic node; empty when the node itself is the file. */
  readonly names: readonly string[];
  readonly entryType: FileEntryType;
  /** Its content: computed through the manager, which caches it by config and input versions. */
  compute(): Promise<DerivedFile>;
}

/** What a kind computes with: the pond (as of the version read) and its manager. */
export interface DynamicContext {
  readonly root: WD;
  readonly manager: DerivedFileManager;
  /** The dynamic node's absolute path. */
  readonly path: string;
}

/** A kind of dynamic node, e.g. `temporal-reduce`. */
export interface DynamicKind<Config = unknown> {
  /** The name `pond mknod KIND` and `kind:` take: letters, digits and `-`. */
  readonly name: string;
  /** Whether a node of this kind is a directory of outputs (else it is one file). */
  readonly directory: boolean;
  /** The config validated (EINVAL naming the key), as stored: plain JSON values, defaults left out. */
  config(raw: unknown, reader: ConfigReader): Config;
  /** Every output, without computing any. */
  outputs(config: Config, context: DynamicContext): Promise<DynamicOutput[]>;
}
