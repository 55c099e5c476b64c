// Dynamic nodes: files holding the config of a computation whose results are read in their place.

import type { NodeMetadata } from "./node.js";

/**
 * The attr that makes a `file:data` node a dynamic node: its value is the kind (the computation
 * that reads the config), the node's content the config as JSON. The node is versioned and time
 * travels as any file does, and a reader that knows no kinds sees a small JSON file. Its content
 * is written only with this attr given (`pond mknod`, `pond apply`): any other write to it, or
 * into a path below it, is EROFS.
 */
export const DYNAMIC_KIND_ATTR = "pond.dynamic";

/** The kind of a dynamic node, or undefined for any other node. */
export function dynamicKind(meta: Pick<NodeMetadata, "entryType" | "attrs">): string | undefined {
  return meta.entryType === "file:data" ? meta.attrs?.[DYNAMIC_KIND_ATTR] : undefined;
}
