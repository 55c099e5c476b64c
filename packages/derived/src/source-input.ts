// An input of a computation, pinned to the node version its cache key names.

import { type EntryType, type NodeId, type NodeMetadata, PondError, type WD } from "@pond/tinyfs";

/** An input path resolved to one node version; reads return that version, not a newer one. */
export interface SourceInput {
  /** The path as the caller gave it. */
  readonly path: string;
  readonly nodeId: NodeId;
  /** The version the key names; for a series, the newest chunk it includes. */
  readonly version: number;
  readonly entryType: EntryType;
  /** Metadata of `version`. */
  readonly metadata: NodeMetadata;
  /** The content of `version`, or of an older version. */
  read(version?: number): Promise<Uint8Array>;
  /** Every version up to `version`, oldest first (a series' chunks). */
  versions(): Promise<NodeMetadata[]>;
}

/**
 * Resolves `path` on `root` (symlinks followed): ENOENT when missing, EINVAL
 * for a version still uncommitted, since a staged version number can be reused
 * for other content after a rollback and would poison the cache.
 */
export async function resolveSource(root: WD, path: string): Promise<SourceInput> {
  const metadata = await root.stat(path);
  if (metadata.txnSeq === undefined && metadata.entryType !== "directory") {
    throw new PondError(
      "EINVAL",
      "uncommitted version: derive from committed versions only (after the transaction)",
      { path },
    );
  }
  return new ResolvedSource(root, path, metadata);
}

class ResolvedSource implements SourceInput {
  readonly nodeId: NodeId;
  readonly version: number;
  readonly entryType: EntryType;

  constructor(
    private readonly root: WD,
    readonly path: string,
    readonly metadata: NodeMetadata,
  ) {
    this.nodeId = metadata.nodeId;
    this.version = metadata.version;
    this.entryType = metadata.entryType;
  }

  read(version = this.version): Promise<Uint8Array> {
    if (version > this.version) {
      return Promise.reject(
        new PondError("EINVAL", `version ${version} is newer than the input's ${this.version}`, {
          path: this.path,
        }),
      );
    }
    return this.root.readFile(this.path, { version });
  }

  async versions(): Promise<NodeMetadata[]> {
    const all = await this.root.listFileVersions(this.path);
    const mine = all.filter((v) => v.version <= this.version);
    // The path now names another node (removed and re-created): its versions are not ours.
    if (mine.some((v) => v.nodeId !== this.nodeId) || mine.length === 0) {
      throw new PondError("CONFLICT", "the input changed while it was being read", {
        path: this.path,
      });
    }
    return mine;
  }
}
