// @pond/tinyfs: a pond filesystem (FS, WD), its errors and types. Backends: @pond/tinyfs/backend.

export { sha256Hex } from "#platform/sha256";
export { parseDuration } from "./duration.js";
export {
  type ComputedFile,
  DYNAMIC_KIND_ATTR,
  type DynamicReader,
  dynamicKind,
} from "./dynamic-node.js";
export { PondError, type PondErrorCode, type PondErrorOptions } from "./errors.js";
export { FS, type FSOptions } from "./fs.js";
export {
  type CommitInfo,
  type CommitMeta,
  type DirEntry,
  type EntryType,
  type FileEntryType,
  isFileType,
  type NodeMetadata,
} from "./node.js";
export { type NodeId, ROOT_ID } from "./node-id.js";
export { type ParsedPath, parsePath, validateName } from "./path.js";
export type {
  QueryContent,
  QueryEngine,
  QueryOptions,
  QueryRun,
  QuerySource,
  QueryTable,
  QueryTime,
} from "./query.js";
export type {
  GlobMatch,
  GlobOptions,
  WalkEntry,
  WalkErrors,
  WalkOptions,
  WD,
  WriteFileOptions,
} from "./wd.js";
