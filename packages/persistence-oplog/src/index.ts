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
