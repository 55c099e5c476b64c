// pond stat: a node's metadata and every version of it.

import type { DynamicStat } from "@pond/derived";
import type { NodeMetadata } from "@pond/tinyfs";
import { type Command, type CommandContext, stringOption } from "../command.js";
import { withDynamicReads } from "../dynamic-reads.js";
import { write, writeLines } from "../io.js";
import { parseAt } from "../option-values.js";
import { toJson } from "../output/json.js";
import { escapeControls, quoteName } from "../output/quote.js";
import { renderTable } from "../output/table.js";
import { formatTime } from "../output/units.js";
import { absolute } from "../pond-paths.js";
import { readPond } from "../pond-session.js";

export const stat: Command = {
  name: "stat",
  summary: "show a node's metadata and versions",
  usage: "pond stat [--at V] PATH",
  description: [
    "Shows what PATH names (a symlink itself, not its target): type, node id,",
    "partition, newest version, size, sha256, commit time and pond version, a",
    "series' event-time range and attributes; then every version of the node,",
    "oldest first. Each pond version that changed the node adds one node version.",
    "A dynamic node shows its kind and what it computes too; a path below one, the",
    "computed file or directory: its size, the dynamic node and the inputs read.",
  ],
  options: {
    at: {
      type: "string",
      value: "V",
      description:
        "look at the pond as of version V, or as of a time (ISO 8601, UTC unless it says otherwise)",
    },
  },
  operands: { min: 1, max: 1 },
  json: true,
  examples: [
    { command: "pond stat /docs/README.md", explanation: "metadata and versions of a file" },
    {
      command: "pond stat --json /sensors/weather",
      explanation: "a series' chunks with their event-time ranges, as JSON",
    },
  ],
  async run(context, input) {
    const at = parseAt(stringOption(input, "at"), "stat");
    const path = input.operands[0] as string;
    const { meta, versions, target, computed } = await readPond(context, at, (fs) =>
      withDynamicReads(fs, async (dynamic) => {
        const root = fs.root();
        const computed = (await dynamic.holds(path))
          ? await (await dynamic.nodes()).stat(path)
          : undefined;
        if (computed !== undefined && !computed.isNode) {
          return { meta: undefined, versions: [], target: undefined, computed };
        }
        const meta = await root.lstat(path);
        if (meta.entryType !== "symlink") {
          return { meta, versions: await root.listFileVersions(path), target: undefined, computed };
        }
        // listFileVersions follows a final symlink: describe the link by its own record.
        return { meta, versions: [meta], target: await root.readlink(path), computed };
      }),
    );
    if (meta === undefined) {
      await printComputed(context, computed as DynamicStat);
      return;
    }
    if (context.json) {
      const document = {
        path: absolute(path),
        ...metaJson(meta),
        ...(target !== undefined && { target }),
        ...(computed && {
          kind: computed.kind,
          config: computed.config,
          computes: computed.entryType,
        }),
        versions: versions.map(metaJson),
      };
      await write(context.io.stdout, toJson(document));
      return;
    }
    const fields: Array<[string, string]> = [
      ["path", quoteName(absolute(path))],
      ["type", meta.entryType],
      ["node", meta.nodeId],
      ["partition", meta.partId],
      ["version", String(meta.version)],
      [meta.entryType === "directory" ? "entries" : "size", String(meta.size)],
    ];
    if (meta.sha256) fields.push(["sha256", meta.sha256]);
    fields.push(["time", formatTime(meta.timestamp)]);
    if (meta.txnSeq !== undefined) fields.push(["pond version", String(meta.txnSeq)]);
    if (target !== undefined) fields.push(["target", quoteName(target)]);
    if (computed) {
      fields.push(["kind", computed.kind]);
      fields.push(["config", JSON.stringify(computed.config)]);
      const what = computed.entryType === "directory" ? `directory of ${computed.size}` : "file";
      fields.push(["computes", what]);
    }
    const range = eventRange(meta);
    if (range) fields.push(["event time", range]);
    for (const [key, value] of Object.entries(meta.attrs ?? {}))
      fields.push([`attr ${key}`, value]);
    const shown = fields.map(([key, value]): [string, string] => [key, escapeControls(value)]);
    const lines = [...renderTable([{ header: "" }, { header: "" }], shown, { header: false })];
    lines.push("", "versions:");
    lines.push(
      ...renderTable(
        [
          { header: "VER", align: "right" },
          { header: "POND VER", align: "right" },
          { header: "TIME (UTC)" },
          { header: "SIZE", align: "right" },
          { header: "SHA256" },
          { header: "EVENT TIME" },
        ],
        versions.map((v) => [
          String(v.version),
          v.txnSeq === undefined ? "-" : String(v.txnSeq),
          formatTime(v.timestamp),
          String(v.size),
          v.sha256.slice(0, 12),
          eventRange(v) ?? "",
        ]),
        { indent: "  " },
      ),
    );
    await writeLines(context.io.stdout, lines);
  },
};

/** A file or directory a dynamic node computes: what it is and what it was computed from. */
async function printComputed(context: CommandContext, computed: DynamicStat): Promise<void> {
  const { file } = computed;
  const inputs = file?.inputs.map((i) => ({ path: i.path, version: i.version })) ?? [];
  if (context.json) {
    const document = {
      path: computed.path,
      type: computed.entryType,
      size: computed.size,
      kind: computed.kind,
      node: computed.node,
      nodeVersion: computed.nodeMeta.version,
      ...(file && { key: file.key, inputs, attrs: file.attrs }),
    };
    await write(context.io.stdout, toJson(document));
    return;
  }
  const fields: Array<[string, string]> = [
    ["path", quoteName(computed.path)],
    ["type", computed.entryType],
    [computed.entryType === "directory" ? "entries" : "size", String(computed.size)],
    [
      "computed by",
      `${quoteName(computed.node)} (${computed.kind}, version ${computed.nodeMeta.version})`,
    ],
  ];
  if (file) {
    fields.push(["key", file.key]);
    for (const input of inputs)
      fields.push(["input", `${quoteName(input.path)} version ${input.version}`]);
  }
  const shown = fields.map(([key, value]): [string, string] => [key, escapeControls(value)]);
  await writeLines(
    context.io.stdout,
    renderTable([{ header: "" }, { header: "" }], shown, { header: false }),
  );
}

/** A series chunk's event-time range (recorded in epoch milliseconds). */
function eventRange(meta: NodeMetadata): string | undefined {
  if (meta.minEventTime === undefined || meta.maxEventTime === undefined) return undefined;
  return `${formatTime(meta.minEventTime)} .. ${formatTime(meta.maxEventTime)}`;
}

function metaJson(meta: NodeMetadata): Record<string, unknown> {
  return {
    type: meta.entryType,
    nodeId: meta.nodeId,
    partId: meta.partId,
    version: meta.version,
    size: meta.size,
    sha256: meta.sha256,
    timestamp: meta.timestamp,
    ...(meta.txnSeq !== undefined && { pondVersion: meta.txnSeq }),
    ...(meta.minEventTime !== undefined && { minEventTime: meta.minEventTime }),
    ...(meta.maxEventTime !== undefined && { maxEventTime: meta.maxEventTime }),
    ...(meta.attrs && { attrs: meta.attrs }),
  };
}
