// Describing pond entries for ls and the demo: one row (or JSON object) per entry.

import { dynamicKind, type EntryType, type NodeId, type NodeMetadata, type WD } from "@pond/tinyfs";
import { quoteName } from "./output/quote.js";
import { renderTable } from "./output/table.js";
import { formatTime } from "./output/units.js";
import { absolute } from "./pond-paths.js";

/** An entry as a plain listing shows it: its name and type, which its directory holds. */
export interface NamedEntry {
  /** The absolute path. */
  path: string;
  /** The path as shown to people: a name in a directory listing, the match of a pattern. */
  shown: string;
  type: EntryType;
}

/** An entry in detail: the newest version of what the path names (a symlink itself, not its target). */
export interface ListedEntry extends NamedEntry {
  nodeId: NodeId;
  /** File bytes; undefined for directories. */
  size?: number;
  /** A directory's entry count. */
  entries?: number;
  version: number;
  timestamp: Date;
  sha256?: string;
  /** A symlink's target. */
  target?: string;
  /** A dynamic node's kind. */
  kind?: string;
}

/** Describes the entry at `path` (symlinks not followed), from its metadata when known. */
export async function describeEntry(
  root: WD,
  path: string,
  shown = path,
  known?: NodeMetadata,
): Promise<ListedEntry> {
  const meta = known ?? (await root.lstat(path));
  const entry: ListedEntry = {
    path: absolute(path),
    shown,
    type: meta.entryType,
    nodeId: meta.nodeId,
    version: meta.version,
    timestamp: meta.timestamp,
  };
  if (meta.entryType === "directory") entry.entries = meta.size;
  else entry.size = meta.size;
  if (meta.sha256 !== "") entry.sha256 = meta.sha256;
  if (meta.entryType === "symlink") entry.target = await root.readlink(path);
  const kind = dynamicKind(meta);
  if (kind !== undefined) entry.kind = kind;
  return entry;
}

/** The entry for scripts: its path, name and metadata. */
export function entryJson(entry: ListedEntry): Record<string, unknown> {
  const { shown: _shown, path, ...rest } = entry;
  return { path, name: path.split("/").pop(), ...rest };
}

/** A line for people: the name, a directory's with a trailing `/`. */
export function renderName(entry: NamedEntry): string {
  const shown = quoteName(entry.shown);
  return entry.type === "directory" ? `${shown}/` : shown;
}

/** Lines for people: type, size, version, time, node id and name of each entry. */
export function renderListing(entries: readonly ListedEntry[]): Iterable<string> {
  return renderTable(
    [
      { header: "TYPE" },
      { header: "SIZE", align: "right" },
      { header: "VER", align: "right" },
      { header: "TIME (UTC)" },
      { header: "NODE" },
      { header: "PATH" },
    ],
    entries.map((e) => [
      e.kind === undefined ? e.type : `dynamic:${e.kind}`,
      e.size === undefined ? "-" : String(e.size),
      String(e.version),
      formatTime(e.timestamp),
      e.nodeId,
      e.target === undefined ? renderName(e) : `${quoteName(e.shown)} -> ${quoteName(e.target)}`,
    ]),
  );
}
