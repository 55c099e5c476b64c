export {
  type AppendSeriesChunkOptions,
  appendSeriesChunk,
  TIMESTAMP_COLUMN_ATTR,
  TIMESTAMP_UNIT_ATTR,
} from "./append-series-chunk.js";
export type { TimeUnit } from "./arrow-ffi.js";
export { BUILT_IN_COMPUTATIONS } from "./computations.js";
export type {
  DerivedComputation,
  DerivedComputationContext,
  DerivedContent,
  DerivedInputs,
} from "./derived-computation.js";
export {
  DEFAULT_BUDGET_BYTES,
  type DerivedCompute,
  type DerivedComputeContext,
  type DerivedFile,
  DerivedFileManager,
  type DerivedFileManagerOptions,
  type DerivedInput,
  type DerivedStats,
} from "./derived-file-manager.js";
export {
  canonicalJson,
  type DerivedKey,
  type DerivedParams,
  derivedKey,
  type InputVersion,
  type ParamValue,
} from "./derived-key.js";
export {
  DOWNSAMPLE,
  type DownsampleOptions,
  type DownsampleRequest,
  downsample,
} from "./downsample-timeseries.js";
export { BUCKET_COLUMN } from "./downsampler.js";
export { readParquet, writeParquet } from "./parquet-io.js";
export { parseResolution, type Resolution } from "./resolution.js";
export { SERIES_COLUMNS_ATTR } from "./series-columns.js";
export type { SourceInput } from "./source-input.js";
export {
  REDUCE_OPS,
  type ReduceAggregation,
  type ReduceOp,
  TEMPORAL_REDUCE,
  type TemporalReduceOptions,
  temporalReduce,
} from "./temporal-reduce.js";
export type { TimeRange } from "./time-range.js";
export type { TimeseriesOptions } from "./timeseries-input.js";
export { TIMESTAMP_COLUMN_NAMES } from "./timestamp-column.js";
