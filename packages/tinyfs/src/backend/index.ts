// @pond/tinyfs/backend: the contract a pond backend implements, and helpers for writing one.

export { andThen, type MaybePromise } from "../maybe-promise.js";
export { isEntryType } from "../node.js";
export { isNodeId, newNodeId } from "../node-id.js";
export type {
  ChangeSet,
  IncomingContent,
  PersistenceLayer,
  StagedVersion,
  StoredContent,
} from "./persistence-layer.js";
export { type ConcurrentCommit, checkConcurrentCommit, type ReadSet } from "./read-set.js";
export { shown } from "./shown.js";
