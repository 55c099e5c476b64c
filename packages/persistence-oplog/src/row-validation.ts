// What a row read from a table must be before pond uses it: a pond someone else wrote (or edited
// by hand, or appended to with another Delta writer) is untrusted input, checked where it is
// decoded, once.

import { isFileType, PondError, validateName } from "@pond/tinyfs";
import { isEntryType, shown } from "@pond/tinyfs/backend";
import { largeFileRef } from "./large-files.js";
import type { OpLogRow } from "./rows.js";

const SHA256 = /^[0-9a-f]{64}$/;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** Why `row` cannot be used, or undefined. Inline content is checked against the size here. */
export function rowProblem(row: OpLogRow): string | undefined {
  const type = row.entryType;
  if (!isEntryType(type)) return `unknown entry type ${shown(String(type))}`;
  if (!isCount(row.version) || row.version < 1) return `invalid node version ${row.version}`;
  if (!isCount(row.txnSeq) || row.txnSeq < 1) return `invalid pond version ${row.txnSeq}`;
  if (!isCount(row.size)) return `invalid size ${row.size}`;
  if (type === "directory" && row.nodeId !== row.partId) {
    return "a directory record outside the directory's own partition";
  }
  const ref = row.contentRef;
  if (ref !== null) {
    if (!isFileType(type)) return `a ${type} with a content_ref`;
    if (row.content !== null) return "both inline content and a content_ref";
    if (!SHA256.test(row.sha256) || ref !== largeFileRef(row.sha256)) {
      return `content_ref ${shown(ref)} is not _large_files/sha256=<the row's sha256>`;
    }
  } else if (type !== "directory" && row.content !== null && row.content.length !== row.size) {
    return `size ${row.size}, but ${row.content.length} bytes stored`;
  }
  if (row.attrs !== null && !isStringRecord(row.attrs)) return "attrs are not a JSON object";
  return undefined;
}

function isStringRecord(json: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return false;
  }
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

/** Why `name` cannot name a directory entry (empty, `.`, `..`, `/` or NUL, over 255 bytes), or undefined. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "no name";
  try {
    validateName(name);
    return undefined;
  } catch (error) {
    return PondError.is(error) ? error.detail : String(error);
  }
}

/** The row a problem is in, as a CORRUPT message names it. */
export type RowKey = Pick<OpLogRow, "nodeId" | "version" | "txnSeq" | "partId">;

/** CORRUPT naming the row (node, its version, the pond version and the partition). */
export function corruptRow(row: RowKey, problem: string): PondError {
  return new PondError(
    "CORRUPT",
    `${problem} (node ${shown(row.nodeId)} version ${row.version}, ` +
      `pond version ${row.txnSeq}, partition part_id=${shown(row.partId)})`,
  );
}

/** Throws CORRUPT when two rows of one node, sorted by version, share a version. */
export function checkUniqueVersions(rows: readonly OpLogRow[]): void {
  for (let i = 1; i < rows.length; i++) {
    const [before, row] = [rows[i - 1] as OpLogRow, rows[i] as OpLogRow];
    if (row.version === before.version) throw duplicateVersion(row, before.txnSeq);
  }
}

/** CORRUPT for a row whose (node, version) another row, of pond version `first`, has already. */
export function duplicateVersion(row: RowKey, first: number): PondError {
  return corruptRow(row, `a second row for this version (the first is in pond version ${first})`);
}
