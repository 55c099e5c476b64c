export { sha256Hex } from "#platform/sha256";
export { type ArenaSizes, ContentArena, READ_SIZES, STORE_SIZES } from "./content-arena.js";
export { parseDuration } from "./duration.js";
export { PondError, type PondErrorCode, type PondErrorOptions } from "./errors.js";
export { FS } from "./fs.js";
export { compilePattern } from "./glob.js";
export { andThen, type MaybePromise } from "./maybe-promise.js";
export { nextVersionMetadata, rootMetadata } from "./metadata.js";
export {
  type CommitInfo,
  type CommitMeta,
  type DirEntry,
  ENTRY_TYPES,
  type EntryType,
  type FileEntryType,
  isEntryType,
  isFileType,
  type NodeMetadata,
} from "./node.js";
export { isNodeId, type NodeId, newNodeId, ROOT_ID } from "./node-id.js";
export { joinPath, type ParsedPath, parsePath, validateName } from "./path.js";
export {
  PendingChanges,
  type StagedEntries,
  type StagedVersion,
  sortEntries,
} from "./pending-changes.js";
export type {
  DirectoryOperation,
  NodeStreamWrite,
  NodeWrite,
  PersistenceLayer,
} from "./persistence.js";
export { MAX_SYMLINK_HOPS, ROOT_ENTRY } from "./resolver.js";
export type {
  GlobMatch,
  GlobOptions,
  WalkEntry,
  WalkErrors,
  WalkOptions,
  WD,
  WriteFileOptions,
} from "./wd.js";
