export { createOplogFs, type OpenOplogOptions, openOplogFs } from "./open-oplog-fs.js";
export { OpLogPersistence, type OpLogPersistenceOptions } from "./oplog-persistence.js";
