// Directory entries with names no pond writes: `..` and paths that climb out of an export
// target, `/`, NUL, empty, over 255 bytes; and valid names full of control characters.

import { newNodeId } from "@pond/tinyfs/backend";
import fc from "fast-check";
import { type BasePond, directoryPaths } from "../base-pond.js";
import type { CraftContext } from "../craft-context.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { childPath, emptyDirectoryRow, fileRow, insertEntry, text } from "../crafted-rows.js";

export interface EntryNameChange {
  dir: string;
  name: string;
  /** What the name is bound to: a new file, or a new directory holding `victim.txt`. */
  child: "file" | "directory";
  /**
   * Whether the pond also holds, as valid entries, the path the name resolves to (`..` stops
   * at the root), so that a walk which looks the joined path up finds it.
   */
  resolves: boolean;
}

const INVALID = ["", ".", "..", "/", "a/b", "nul\0byte", "\0", "x".repeat(256), "é".repeat(128)];
/** Valid names that a terminal would act on if printed raw. */
export const CONTROL_NAMES = [
  "esc\x1b[2Jclear",
  "title\x1b]0;pwned\x07",
  "new\nline",
  "tab\tname",
  "carriage\rreturn",
  "bell\x07",
  "del\x7f",
  "csi\u009b31m",
];

/** Names climbing from the directory's place in an export target to a canary around it. */
function climbing(dir: string): fc.Arbitrary<string> {
  const depth = dir === "/" ? 0 : dir.split("/").length - 1;
  return fc
    .record({
      // The export target is a directory of the workspace: one more climb reaches its root.
      ups: fc.integer({ min: 1, max: depth + 1 }),
      to: fc.constantFrom("victim.txt", "nest/victim.txt", "nest", "nest/deeper"),
    })
    .map(({ ups, to }) => `${"../".repeat(ups)}${to}`);
}

/** A new file, or a new directory holding `victim.txt`: its entry and its rows. */
function newChild(partId: string, child: EntryNameChange["child"], content: Uint8Array) {
  const nodeId = newNodeId();
  if (child === "file") {
    return {
      ref: { nodeId, partId, entryType: "file:data" },
      rows: [fileRow(partId, nodeId, 1, content)],
    };
  }
  const fileId = newNodeId();
  const record = emptyDirectoryRow(nodeId);
  record.size = 1;
  record.changes = [
    insertEntry("victim.txt", { nodeId: fileId, partId: nodeId, entryType: "file:data" }),
  ];
  return {
    ref: { nodeId, partId: nodeId, entryType: "directory" },
    rows: [record, fileRow(nodeId, fileId, 1, content)],
  };
}

/** `name` joined to the directory `dir` as pond paths resolve: `..` stops at the root. */
function lexical(dir: string, name: string): string {
  const parts: string[] = [];
  for (const part of `${dir}/${name}`.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "" && part !== ".") parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** Makes `path`, new from its first name on, as valid entries: directories, then the child. */
async function materialize(
  context: CraftContext,
  path: string,
  child: EntryNameChange["child"],
  content: Uint8Array,
): Promise<number> {
  const names = path.slice(1).split("/");
  let made = newChild("", child, content);
  const rows = [];
  for (let i = names.length - 1; i > 0; i--) {
    const dirId = newNodeId();
    if (made.ref.entryType !== "directory") {
      made.ref.partId = dirId;
      for (const row of made.rows) row.part_id = dirId;
    }
    rows.push(...made.rows);
    const record = emptyDirectoryRow(dirId);
    record.size = 1;
    record.changes = [insertEntry(names[i] as string, made.ref)];
    made = { ref: { nodeId: dirId, partId: dirId, entryType: "directory" }, rows: [record] };
  }
  const root = context.node("/");
  if (made.ref.entryType !== "directory") {
    made.ref.partId = root.nodeId;
    for (const row of made.rows) row.part_id = root.nodeId;
  }
  rows.push(...made.rows);
  return context.changeDirectory(root, [insertEntry(names[0] as string, made.ref)], rows);
}

export const entryNames: ChangeClass<EntryNameChange> = {
  name: "entry names",
  scope: "local",
  arbitrary: (base: BasePond) =>
    fc.constantFrom(...directoryPaths(base)).chain((dir) =>
      fc.record({
        dir: fc.constant(dir),
        name: fc.oneof(
          fc.constantFrom(...INVALID),
          climbing(dir),
          fc.constantFrom(...CONTROL_NAMES),
        ),
        child: fc.constantFrom<EntryNameChange["child"]>("file", "directory"),
        resolves: fc.boolean(),
      }),
    ),

  async craft(context, { dir, name, child, resolves }) {
    const parent = context.node(dir);
    const content = text(`hostile ${JSON.stringify(name)}\n`);
    const made = newChild(parent.nodeId, child, content);
    const version = await context.changeDirectory(parent, [insertEntry(name, made.ref)], made.rows);
    let target = childPath(dir, name);
    if (child === "directory") target = childPath(target, "victim.txt");
    const invalid = INVALID.includes(name) || name.startsWith("../");
    let what = `${dir} (node ${parent.nodeId}) gained an entry named ${JSON.stringify(name)}, a new ${child}, in version ${version}`;
    const resolved = lexical(dir, name);
    const versions = [version];
    const top = resolved.split("/")[1] as string;
    if (resolves && name.startsWith("../") && top !== "" && !context.node("/").entries.has(top)) {
      versions.push(await materialize(context, resolved, child, content));
      what += `, and ${resolved}, where it resolves, exists in version ${versions[1]}`;
    }
    const childId = made.ref.nodeId;
    return crafted(what, {
      versions,
      targets: [target],
      ...(invalid
        ? {
            anomalies: [{ what, versions: [version], tokens: [parent.nodeId, childId] }],
            damaged: [dir],
          }
        : { rawNames: [name] }),
    });
  },
};
