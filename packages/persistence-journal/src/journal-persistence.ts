// JournalPersistence: a pond as one append-only file, one JSON line per commit, fsynced.

import { closeSync, fstatSync, fsyncSync, ftruncateSync, readSync, writeSync } from "node:fs";
import type { CommitInfo, CommitMeta, DirEntry, NodeId, NodeMetadata } from "@pond/tinyfs";
import { PondError } from "@pond/tinyfs";
import { type ChangeSet, checkConcurrentCommit, type PersistenceLayer } from "@pond/tinyfs/backend";
import { decodeLine, encodeLine, type JournalCommit } from "./journal-line.js";

const NEWLINE = 0x0a;
const NO_ENTRIES: ReadonlyMap<string, DirEntry> = new Map();

/** One committed version of a node: a file's or symlink's with its bytes, a directory's without. */
interface Version {
  meta: NodeMetadata;
  content?: Uint8Array;
}

/** The journal open at `fd`, replayed so far; shared by a pond and its views of older versions. */
export class Journal {
  readonly commits: CommitInfo[] = [];
  readonly versions = new Map<NodeId, Version[]>();
  readonly entries = new Map<NodeId, Map<string, DirEntry>>();
  /** Per directory, the commits that changed it and how, for views of older versions. */
  readonly changes = new Map<NodeId, { txnSeq: number; names: [string, DirEntry | null][] }[]>();
  /** Bytes of the file replayed: up to the end of the last whole line. */
  offset = 0;

  constructor(
    readonly fd: number,
    readonly path: string,
  ) {}

  /** Reads and applies the lines other handles appended since; answers the commits they made. */
  catchUp(): JournalCommit[] {
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return [];
    const tail = Buffer.alloc(size - this.offset);
    const read = readSync(this.fd, tail, 0, tail.length, this.offset);
    const arrived: JournalCommit[] = [];
    // A last line without its newline is a write a crash cut short: it never committed.
    let start = 0;
    for (let end = tail.indexOf(NEWLINE); end >= start && end < read; ) {
      const line = this.commits.length + 1;
      const commit = decodeLine(tail.toString("utf8", start, end), line - 1, this.path, line);
      this.apply(commit);
      arrived.push(commit);
      this.offset += end + 1 - start;
      start = end + 1;
      end = tail.indexOf(NEWLINE, start);
    }
    return arrived;
  }

  /** Appends `commit` as one line, fsynced, then applies it. */
  append(commit: JournalCommit): void {
    const line = Buffer.from(encodeLine(commit));
    try {
      ftruncateSync(this.fd, this.offset);
      for (let at = 0; at < line.length; ) {
        at += writeSync(this.fd, line, at, line.length - at, this.offset + at);
      }
      fsyncSync(this.fd);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === "ENOSPC" ? "ENOSPC" : "EIO";
      throw new PondError(code, "cannot write the journal", { path: this.path, cause: error });
    }
    this.offset += line.length;
    this.apply(commit);
  }

  private apply({ info, versions, directories }: JournalCommit): void {
    this.commits.push(info);
    for (const version of versions) {
      const list = added(this.versions, version.meta.nodeId, []);
      if (version.meta.version !== list.length + 1) {
        const detail = `journal version ${info.version}: a node's version ${version.meta.version} follows ${list.length}`;
        throw new PondError("CORRUPT", detail, { path: this.path });
      }
      list.push(version);
    }
    for (const [dirId, names] of directories) {
      const entries = added(this.entries, dirId, new Map());
      for (const [name, entry] of names) {
        if (entry) entries.set(name, entry);
        else entries.delete(name);
      }
      added(this.changes, dirId, []).push({ txnSeq: info.version, names });
      const list = added(this.versions, dirId, []);
      list.push({
        meta: {
          nodeId: dirId,
          partId: dirId,
          entryType: "directory",
          version: list.length + 1,
          size: entries.size,
          sha256: "",
          timestamp: info.timestamp,
          txnSeq: info.version,
        },
      });
    }
  }
}

/**
 * The pond in a journal file. Every answer is at hand once the journal is
 * replayed, so every member answers synchronously. One process writes a
 * journal at a time; others may read it, and see its new commits at their next
 * transaction.
 */
export class JournalPersistence implements PersistenceLayer {
  private readonly asOfEntries = new Map<NodeId, Map<string, DirEntry>>();

  constructor(
    private readonly journal: Journal,
    /** Set for a view of an older version. */
    private readonly asOf?: number,
  ) {
    if (asOf === undefined) journal.catchUp();
    if (journal.commits.length === 0) {
      throw new PondError("CORRUPT", "the journal holds no version 0", { path: journal.path });
    }
  }

  begin(): number {
    if (this.asOf !== undefined) return this.asOf;
    this.journal.catchUp();
    return this.journal.commits.length - 1;
  }

  node(nodeId: NodeId): NodeMetadata | undefined {
    const seen = this.seen(nodeId);
    return seen[seen.length - 1]?.meta;
  }

  versions(nodeId: NodeId): NodeMetadata[] {
    return this.seen(nodeId).map((v) => v.meta);
  }

  directory(dirId: NodeId): ReadonlyMap<string, DirEntry> {
    if (this.asOf === undefined) return this.journal.entries.get(dirId) ?? NO_ENTRIES;
    let entries = this.asOfEntries.get(dirId);
    if (entries) return entries;
    entries = new Map();
    for (const { txnSeq, names } of this.journal.changes.get(dirId) ?? []) {
      if (txnSeq > this.asOf) break;
      for (const [name, entry] of names) {
        if (entry) entries.set(name, entry);
        else entries.delete(name);
      }
    }
    this.asOfEntries.set(dirId, entries);
    return entries;
  }

  readContent(version: NodeMetadata): Uint8Array {
    const found = this.seen(version.nodeId).find((v) => v.meta.version === version.version);
    if (!found?.content) throw new PondError("ENOENT", `no version ${version.version}`);
    return found.content;
  }

  commit(changes: ChangeSet, meta: CommitMeta): CommitInfo | undefined {
    if (changes.rows === 0) return undefined;
    const journal = this.journal;
    // Commits another handle appended since this transaction began must not touch what it read.
    for (const other of journal.catchUp()) {
      checkConcurrentCommit(changes, {
        version: other.info.version,
        directories: other.directories.map(([dirId, names]) => [dirId, names.map(([n]) => n)]),
        nodes: other.versions.map((v) => v.meta.nodeId),
      });
    }
    const version = journal.commits.length;
    const previous = (journal.commits[version - 1] as CommitInfo).timestamp.getTime();
    const timestamp = new Date(Math.max(Date.now(), previous));
    const info: CommitInfo = { version, timestamp, rows: changes.rows };
    info.partitions = changes.partitions;
    if (meta.message !== undefined) info.message = meta.message;
    if (meta.meta) info.meta = { ...meta.meta };
    const versions = [...changes.nodes.values()].flat().map(({ meta: staged, content }) => ({
      meta: { ...staged, timestamp, txnSeq: version },
      content,
    }));
    const directories = [...changes.directories].map(
      ([dirId, names]): JournalCommit["directories"][number] => [dirId, [...names]],
    );
    journal.append({ info, versions, directories });
    return info;
  }

  history(): readonly CommitInfo[] {
    return this.journal.commits;
  }

  atVersion(version: number): PersistenceLayer {
    return new JournalPersistence(this.journal, version);
  }

  close(): void {
    if (this.asOf === undefined) closeSync(this.journal.fd);
  }

  /** A node's versions this view sees. */
  private seen(nodeId: NodeId): readonly Version[] {
    const all = this.journal.versions.get(nodeId) ?? [];
    const asOf = this.asOf;
    return asOf === undefined ? all : all.filter((v) => (v.meta.txnSeq as number) <= asOf);
  }
}

/** The value of `key` in `map`, `empty` put there first if it had none. */
function added<K, V>(map: Map<K, V>, key: K, empty: V): V {
  const value = map.get(key);
  if (value !== undefined) return value;
  map.set(key, empty);
  return empty;
}
