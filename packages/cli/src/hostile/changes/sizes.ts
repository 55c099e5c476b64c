// File versions whose size is not the number of their bytes: negative, off by one, zero, or
// beyond anything memory could hold.

import { sha256Hex } from "@pond/tinyfs";
import fc from "fast-check";
import { type BasePond, dataFilePaths, partitionPath } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { base64 } from "../crafted-rows.js";
import type { CraftedRow } from "../delta-worker.js";

export interface SizeChange {
  file: string;
  size: "negative" | "very-negative" | "one-more" | "one-less" | "zero" | "max-safe" | "2^62";
}

function claimed(size: SizeChange["size"], actual: number): number | string {
  switch (size) {
    case "negative":
      return -1;
    case "very-negative":
      return -(2 ** 40);
    case "one-more":
      return actual + 1;
    case "one-less":
      return actual - 1;
    case "zero":
      return 0;
    case "max-safe":
      return Number.MAX_SAFE_INTEGER;
    case "2^62":
      return "4611686018427387904";
  }
}

export const sizes: ChangeClass<SizeChange> = {
  name: "sizes",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      file: fc.constantFrom(...dataFilePaths(base)),
      size: fc.constantFrom<SizeChange["size"]>(
        "negative",
        "very-negative",
        "one-more",
        "one-less",
        "zero",
        "max-safe",
        "2^62",
      ),
    }),

  async craft(context, { file, size }) {
    const node = context.node(file);
    const bytes = context.base.files.get(file) as Uint8Array;
    // The same bytes again, stored as pond stores them, with only the size wrong.
    const row: CraftedRow = {
      part_id: node.partId,
      node_id: node.nodeId,
      entry_type: node.entryType,
      version: context.nextVersion(node),
      sha256: sha256Hex(bytes),
      size: claimed(size, bytes.length),
      ...(node.contentRef === null ? { content: base64(bytes) } : { content_ref: node.contentRef }),
    };
    const version = await context.commit([row]);
    const what = `${file} (node ${node.nodeId}, ${bytes.length} bytes) got a version ${row.version} claiming size ${row.size} in version ${version}`;
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [node.nodeId] }],
      versions: [version],
      targets: [file],
      corrupt: [file],
      damaged: [file, partitionPath(context.base, file)],
    });
  },
};
