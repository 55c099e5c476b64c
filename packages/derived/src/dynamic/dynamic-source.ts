// A dynamic node's computed output as the input of another computation.

import type { NodeMetadata } from "@pond/tinyfs";
import type { DerivedFile } from "../derived-file-manager.js";
import type { SourceInput } from "../source-input.js";

/**
 * `file` as an input: one version, whose identity in keys is the file's own key (it names the
 * config and the versions of everything it was computed from).
 */
export function dynamicSource(path: string, file: DerivedFile): SourceInput {
  const metadata: NodeMetadata = {
    nodeId: `dynamic-${file.key}`,
    partId: `dynamic-${file.key}`,
    entryType: file.entryType,
    version: 1,
    size: file.size,
    sha256: "",
    timestamp: new Date(0),
    txnSeq: 0,
    attrs: file.attrs,
  };
  return {
    path,
    nodeId: metadata.nodeId,
    version: 1,
    entryType: file.entryType,
    metadata,
    read: async () => file.bytes,
    versions: async () => [metadata],
  };
}
