export { createMemoryFs } from "./create-memory-fs.js";
export { MemoryPersistence } from "./memory-persistence.js";
