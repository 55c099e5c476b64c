export {
  type FsckOptions,
  type FsckProblem,
  type FsckProblemKind,
  type FsckReport,
  fsckOplog,
} from "./fsck.js";
export {
  DEFAULT_ORPHAN_GRACE_MS,
  HISTORY_RETENTION_PROPERTY,
  KEEP_FOREVER,
  type MaintainOptions,
  type MaintainReport,
  type MaintenanceStep,
  maintainOplog,
} from "./maintenance.js";
export {
  type CreateOplogOptions,
  createOplogFs,
  type OpenOplogOptions,
  openOplogFs,
} from "./open-oplog-fs.js";
export {
  DIRECTORY_SNAPSHOT_INTERVAL,
  OpLogPersistence,
  type OpLogPersistenceOptions,
} from "./oplog-persistence.js";
export { nativeQueryEngine } from "./query-engine.js";
export {
  type CopyPondOptions,
  type CopyPondReport,
  clonePond,
  copyPond,
} from "./remote.js";
export { listRemotes, setRemote } from "./remotes.js";
