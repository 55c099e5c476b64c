// One line of the journal: a commit as JSON, and the checks a line read back must pass.

import {
  type CommitInfo,
  type DirEntry,
  type NodeId,
  type NodeMetadata,
  PondError,
  sha256Hex,
  validateName,
} from "@pond/tinyfs";
import { isEntryType, isNodeId, shown } from "@pond/tinyfs/backend";

/** What one commit wrote: its info, its file and symlink versions, its directory changes. */
export interface JournalCommit {
  info: CommitInfo;
  versions: { meta: NodeMetadata; content: Uint8Array }[];
  /** Per directory, each name bound to an entry or unbound (null). */
  directories: [NodeId, [string, DirEntry | null][]][];
}

/** A version as written: its metadata without timestamp and txnSeq (the commit's), content in base64. */
type VersionJson = Omit<NodeMetadata, "timestamp" | "txnSeq"> & { content: string };
type EntryJson = [nodeId: string, partId: string, entryType: string] | null;

interface LineJson {
  version: number;
  timestamp: number;
  message?: string;
  meta?: Record<string, string>;
  rows?: number;
  partitions?: number;
  versions?: VersionJson[];
  directories?: [string, [string, EntryJson][]][];
}

export function encodeLine(commit: JournalCommit): string {
  const { version, timestamp, message, meta, rows, partitions } = commit.info;
  const line: LineJson = {
    version,
    timestamp: timestamp.getTime(),
    message,
    meta,
    rows,
    partitions,
  };
  line.versions = commit.versions.map(
    ({ meta: { timestamp: _, txnSeq: __, ...rest }, content }) => ({
      ...rest,
      content: Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString(
        "base64",
      ),
    }),
  );
  line.directories = commit.directories.map(([dirId, names]) => [
    dirId,
    names.map(([name, entry]) => [name, entry && [entry.nodeId, entry.partId, entry.entryType]]),
  ]);
  return `${JSON.stringify(line)}\n`;
}

/** Parses line `number` (1-based) of `file`, which must be pond version `version`; else CORRUPT. */
export function decodeLine(
  text: string,
  version: number,
  file: string,
  number: number,
): JournalCommit {
  const bad = (what: string) =>
    new PondError("CORRUPT", `journal line ${number}: ${what}`, { path: file });
  let line: LineJson;
  try {
    line = JSON.parse(text) as LineJson;
  } catch {
    throw bad("not JSON");
  }
  const check = (ok: boolean, what: string) => {
    if (!ok) throw bad(what);
  };
  check(typeof line === "object" && line !== null, "not a commit");
  check(line.version === version, `version ${shown(String(line.version))}, expected ${version}`);
  check(Number.isFinite(line.timestamp), "no timestamp");
  const timestamp = new Date(line.timestamp);
  const info: CommitInfo = { version, timestamp };
  if (typeof line.message === "string") info.message = line.message;
  if (typeof line.meta === "object" && line.meta !== null) info.meta = line.meta;
  if (Number.isInteger(line.rows)) info.rows = line.rows;
  if (Number.isInteger(line.partitions)) info.partitions = line.partitions;
  const id = (value: unknown): NodeId => {
    check(typeof value === "string" && isNodeId(value), `bad node id ${shown(String(value))}`);
    return value as NodeId;
  };
  check(Array.isArray(line.versions ?? []), "versions is not a list");
  const versions = (line.versions ?? []).map((v) => {
    check(typeof v === "object" && v !== null && isEntryType(v.entryType), "bad version");
    check(v.entryType !== "directory", "a directory version with content");
    check(Number.isInteger(v.version) && v.version > 0, `bad version number of ${shown(v.nodeId)}`);
    check(typeof v.content === "string", "bad content");
    const content = new Uint8Array(Buffer.from(v.content, "base64"));
    check(v.size === content.length, `size ${v.size} is not the ${content.length} bytes stored`);
    check(v.sha256 === sha256Hex(content), `the content of ${shown(v.nodeId)} is not its sha256`);
    const { content: _, ...meta } = v;
    const built: NodeMetadata = { ...meta, nodeId: id(v.nodeId), partId: id(v.partId), timestamp };
    built.txnSeq = version;
    return { meta: built, content };
  });
  check(Array.isArray(line.directories ?? []), "directories is not a list");
  const directories = (line.directories ?? []).map(
    ([dirId, names]): JournalCommit["directories"][number] => {
      check(Array.isArray(names), "bad directory change");
      return [
        id(dirId),
        names.map(([name, entry]): [string, DirEntry | null] => {
          try {
            validateName(name);
          } catch {
            throw bad(`bad entry name ${shown(String(name))}`);
          }
          if (entry === null) return [name, null];
          check(Array.isArray(entry) && isEntryType(entry[2]), `bad entry ${shown(name)}`);
          const [nodeId, partId, entryType] = entry as [string, string, DirEntry["entryType"]];
          return [name, { name, nodeId: id(nodeId), partId: id(partId), entryType }];
        }),
      ];
    },
  );
  return { info, versions, directories };
}
