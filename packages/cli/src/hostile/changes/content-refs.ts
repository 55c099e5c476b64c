// File rows whose content_ref is not `_large_files/sha256=<hex>` of their own sha256: paths
// climbing to host files (with their true sha256, so that only the path is wrong), absolute
// paths, /dev/zero, other files of the pond, missing or mismatched large files.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "@pond/tinyfs";
import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, dataFilePaths, directoryPaths, partitionPath } from "../base-pond.js";
import { canaryContent } from "../canary-tree.js";
import type { CraftContext } from "../craft-context.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, insertEntry } from "../crafted-rows.js";
import type { CraftedRow } from "../delta-worker.js";

type RefKind =
  | { kind: "climbing"; ref: string; canary: string }
  | { kind: "absolute-canary"; canary: string }
  | { kind: "dev-zero"; ref: string }
  | { kind: "other-sha256" }
  | { kind: "missing" }
  | { kind: "not-hex"; ref: string }
  | { kind: "pond-file"; ref: string };

export interface ContentRefChange {
  /** An existing data file gets a new version, or a new file is added to a directory. */
  target: { file: string } | { newIn: string };
  ref: RefKind;
}

/** Refs that reach a canary file from the pond at `nest/pond`, with the canary they reach. */
const CLIMBING: Array<{ ref: string; canary: string }> = [
  { ref: "../victim.txt", canary: "nest/victim.txt" },
  { ref: "../../victim.txt", canary: "victim.txt" },
  { ref: "../../victim.bin", canary: "victim.bin" },
  { ref: "../deeper/sub/victim.txt", canary: "nest/deeper/sub/victim.txt" },
  { ref: "_large_files/../../victim.txt", canary: "nest/victim.txt" },
  { ref: `_large_files/sha256=${"0".repeat(64)}/../../../victim.txt`, canary: "nest/victim.txt" },
];

const refKind: fc.Arbitrary<RefKind> = fc.oneof(
  fc.constantFrom(...CLIMBING).map((c) => ({ kind: "climbing" as const, ...c })),
  fc
    .constantFrom("victim.txt", "nest/victim.txt")
    .map((canary) => ({ kind: "absolute-canary" as const, canary })),
  fc
    .constantFrom(`${"../".repeat(24)}dev/zero`, "/dev/zero")
    .map((ref) => ({ kind: "dev-zero" as const, ref })),
  fc.constant({ kind: "other-sha256" as const }),
  fc.constant({ kind: "missing" as const }),
  fc
    .constantFrom("_large_files/sha256=XYZ", "_large_files/", "_large_files", "", ".")
    .map((ref) => ({ kind: "not-hex" as const, ref })),
  fc
    .constantFrom(
      "_delta_log/00000000000000000000.json",
      "_large_files/../_delta_log/00000000000000000001.json",
    )
    .map((ref) => ({ kind: "pond-file" as const, ref })),
);

/** The row's content_ref, size and sha256 for a kind of ref. */
async function reference(
  context: CraftContext,
  ref: RefKind,
): Promise<Pick<CraftedRow, "content_ref" | "size" | "sha256">> {
  switch (ref.kind) {
    case "climbing":
    case "absolute-canary": {
      const content = canaryContent(ref.canary);
      const path = ref.kind === "climbing" ? ref.ref : join(context.workspace.root, ref.canary);
      return { content_ref: path, size: content.length, sha256: sha256Hex(content) };
    }
    case "dev-zero":
      return { content_ref: ref.ref, size: 100_000, sha256: "0".repeat(64) };
    case "other-sha256": {
      const large = context.node("/data/raw/big.bin");
      return { content_ref: large.contentRef, size: large.size, sha256: "f".repeat(64) };
    }
    case "missing": {
      const sha = sha256Hex(new TextEncoder().encode("no such large file"));
      return { content_ref: `_large_files/sha256=${sha}`, size: 70_000, sha256: sha };
    }
    case "not-hex":
      return { content_ref: ref.ref, size: 70_000, sha256: "e".repeat(64) };
    case "pond-file": {
      const content = await readFile(join(context.workspace.pondDir, ref.ref));
      return { content_ref: ref.ref, size: content.length, sha256: sha256Hex(content) };
    }
  }
}

export const contentRefs: ChangeClass<ContentRefChange> = {
  name: "content refs",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.record({
      target: fc.oneof(
        fc.constantFrom(...dataFilePaths(base)).map((file) => ({ file })),
        fc.constantFrom(...directoryPaths(base)).map((newIn) => ({ newIn })),
      ),
      ref: refKind,
    }),

  async craft(context, { target, ref }) {
    const stored = await reference(context, ref);
    let version: number;
    let path: string;
    let nodeId: string;
    let damaged: string[];
    if ("file" in target) {
      const file = context.node(target.file);
      nodeId = file.nodeId;
      path = target.file;
      damaged = [path, partitionPath(context.base, path)];
      const row = { part_id: file.partId, node_id: nodeId, entry_type: file.entryType };
      version = await context.commit([{ ...row, version: context.nextVersion(file), ...stored }]);
    } else {
      const dir = context.node(target.newIn);
      nodeId = newNodeId();
      path = childPath(target.newIn, "referenced.bin");
      damaged = [target.newIn];
      const row = { part_id: dir.nodeId, node_id: nodeId, entry_type: "file:data", version: 1 };
      version = await context.changeDirectory(
        dir,
        [insertEntry("referenced.bin", { nodeId, partId: dir.nodeId, entryType: "file:data" })],
        [{ ...row, ...stored }],
      );
    }
    const what = `${path} (node ${nodeId}) got content_ref ${JSON.stringify(stored.content_ref)} (size ${stored.size}, sha256 ${stored.sha256}) in version ${version}`;
    return crafted(what, {
      anomalies: [{ what, versions: [version], tokens: [nodeId] }],
      versions: [version],
      targets: [path],
      corrupt: [path],
      damaged,
    });
  },
};
