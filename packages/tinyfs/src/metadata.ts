// NodeMetadata as backends build it: for a new version, and for the root before its first change.

import type { NodeMetadata } from "./node.js";
import { type NodeId, ROOT_ID } from "./node-id.js";
import type { NodeStreamWrite } from "./persistence.js";

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

/** The root directory before its first change: version 0, empty, as old as the pond. */
export function rootMetadata(created: Date): NodeMetadata {
  return {
    nodeId: ROOT_ID,
    partId: ROOT_ID,
    entryType: "directory",
    version: 0,
    size: 0,
    sha256: "",
    timestamp: created,
  };
}
