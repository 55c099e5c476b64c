// The napi-rs binding under pond's names. napi-rs's generated loader picks the binary for this
// platform (one built from source beside it in native/, else the platform's package); when there
// is none, importing this package fails with one PondError that says what to do.

import { createRequire } from "node:module";
import { PondError } from "@pond/tinyfs";
import type * as Binding from "../native/index.cjs";

export type {
  CommitResult,
  CompactOptions,
  CompactResult,
  CopyResult,
  DataFileEntry,
  LogActionProblem,
  LogCleanupResult,
  LogGap,
  PartitionStats,
  QuerySourceSpec,
  QueryTableSpec,
  ScanStats,
  StoredObject,
  TableDir,
  VacuumOptions,
  VacuumResult,
} from "../native/index.cjs";

const PACKAGE = "@pond/persistence-oplog";

/** The platforms a binary is published for, as napi-rs names them (package.json's napi.targets). */
const PREBUILT = [
  "linux-x64-gnu",
  "linux-arm64-gnu",
  "linux-x64-musl",
  "darwin-arm64",
  "darwin-x64",
  "win32-x64-msvc",
];

// A synchronous require of the CommonJS loader keeps this module free of top-level await, so
// that require() of the package works where Node allows requiring ES modules.
function load(): typeof Binding {
  try {
    return createRequire(import.meta.url)("../native/index.cjs") as typeof Binding;
  } catch (error) {
    throw unsupported(error);
  }
}

function unsupported(cause: unknown): PondError {
  const platform = napiPlatform();
  const wanted = `${PACKAGE}-${platform}`;
  const fromSource =
    "build one from source with Rust: in a clone of pond, `npm run demo` builds it into " +
    "packages/persistence-oplog/native/, then set NAPI_RS_NATIVE_LIBRARY_PATH to that .node file";
  const detail = PREBUILT.includes(platform)
    ? `the native binary for ${platform} did not load (${wanted}: ${loadFailure(cause)}); ` +
      `reinstall with optional dependencies, or ${fromSource}`
    : `no prebuilt native binary for ${platform} (looked for ${wanted}; prebuilt for ` +
      `${PREBUILT.join(", ")}); ${fromSource}`;
  return new PondError("ENOTSUP", detail, { cause });
}

/** napi-rs's name for this platform: linux-x64-gnu, darwin-arm64, win32-x64-msvc… */
function napiPlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === "win32") return `${base}-msvc`;
  if (process.platform !== "linux") return base;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return `${base}-${report.header?.glibcVersionRuntime ? "gnu" : "musl"}`;
}

/**
 * Why the binary did not load, from the reasons napi-rs chains as causes (one per place it
 * looked): a binary that was found but failed to load (a missing system library, say) tells
 * more than the places where none was found.
 */
function loadFailure(error: unknown): string {
  const reasons: string[] = [];
  for (let e = (error as Error).cause; e instanceof Error; e = e.cause) {
    reasons.push(e.message.split("\n")[0] ?? e.message);
  }
  return reasons.find((reason) => !reason.startsWith("Cannot find module")) ?? "not installed";
}

const binding = load();

export type NativeTable = Binding.NativeTable;
export type NativeQuery = Binding.NativeQuery;
export const {
  NativeTable,
  query: nativeQuery,
  commitSchema,
  copyVersions,
  decodeDirectoryRecords,
  encodeDirectoryRecords,
  logEntryFile,
  tableDir,
} = binding;
