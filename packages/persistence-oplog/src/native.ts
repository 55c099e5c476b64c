// The napi-rs binding under pond's names; "../native/index.js" resolves from src/ and dist/ alike.

export type { CommitResult, LogGap } from "../native/index.js";
export { decodeDirectoryRecords, encodeDirectoryRecords, NativeTable } from "../native/index.js";
