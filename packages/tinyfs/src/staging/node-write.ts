// A new version of a node as a WD hands it to staging, and the metadata it is staged with.

import type { EntryType, NodeMetadata } from "../node.js";
import type { NodeId } from "../node-id.js";

/** A new version of a node. */
export interface NodeWrite {
  /** The node id is brand new: it has no versions to look up. First, so every such write shares one shape. */
  isNew?: boolean;
  entryType: EntryType;
  /** File bytes or the UTF-8 symlink target; empty for a directory. */
  content: Uint8Array;
  /** Byte length of `content`. */
  size: number;
  /** Hex sha256 of `content` ("" for a directory). */
  sha256: string;
  minEventTime?: number;
  maxEventTime?: number;
  attrs?: Record<string, string>;
}

/** A new file version whose content arrives as a stream. */
export type NodeStreamWrite = Omit<NodeWrite, "content" | "size" | "sha256">;

/** The metadata of a staged file or symlink version, `previous` + 1. */
export function nextVersionMetadata(
  nodeId: NodeId,
  partId: NodeId,
  write: NodeStreamWrite & { size: number; sha256: string },
  previous: NodeMetadata | undefined,
): NodeMetadata {
  const meta: NodeMetadata = {
    nodeId,
    partId,
    entryType: write.entryType,
    version: (previous?.version ?? 0) + 1,
    size: write.size,
    sha256: write.sha256,
    timestamp: new Date(),
  };
  if (write.minEventTime !== undefined) meta.minEventTime = write.minEventTime;
  if (write.maxEventTime !== undefined) meta.maxEventTime = write.maxEventTime;
  if (write.attrs) meta.attrs = { ...write.attrs };
  return meta;
}
