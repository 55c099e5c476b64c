export {
  type AppendSeriesChunkOptions,
  appendSeriesChunk,
  TIMESTAMP_COLUMN_ATTR,
  TIMESTAMP_UNIT_ATTR,
} from "./append-series-chunk.js";
export type { TimeUnit } from "./arrow-ffi.js";
export { BUILT_IN_COMPUTATIONS } from "./computations.js";
export {
  type CsvBounds,
  type CsvColumn,
  type CsvOptions,
  type CsvParquet,
  csvToParquet,
} from "./csv-to-parquet.js";
export { type CsvSchema, type CsvType, parseCsvSchema } from "./csv-types.js";
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
export {
  type ConfigKeys,
  type ConfigLocator,
  ConfigReader,
} from "./dynamic/config-reader.js";
export type { DynamicContext, DynamicKind, DynamicOutput } from "./dynamic/dynamic-kind.js";
export {
  type DynamicEntry,
  type DynamicLocation,
  DynamicNodes,
  type DynamicStat,
  type DynamicWrite,
  writeDynamicNode,
} from "./dynamic/dynamic-nodes.js";
export { BUILT_IN_KINDS } from "./dynamic/kinds.js";
export {
  type SqlDerivedConfig,
  sqlDerivedSeriesKind,
  sqlDerivedTableKind,
} from "./dynamic/sql-derived-kind.js";
export {
  reduce,
  type TemporalReduceConfig,
  temporalReduceKind,
} from "./dynamic/temporal-reduce-kind.js";
export { type ImportCsvOptions, importCsv } from "./import-csv.js";
export { readParquet, writeParquet, writeParquetStream } from "./parquet-io.js";
export { queryParquet } from "./query-parquet.js";
export { parseResolution, type Resolution } from "./resolution.js";
export { SERIES_COLUMNS_ATTR } from "./series-columns.js";
export type { SourceInput } from "./source-input.js";
export { SQL_DERIVED, type SqlDerivedOptions, sqlDerived } from "./sql-derived.js";
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
export {
  TIMESERIES_JOIN,
  type TimeseriesJoinOptions,
  timeseriesJoin,
} from "./timeseries-join.js";
export {
  TIMESERIES_PIVOT,
  type TimeseriesPivotOptions,
  timeseriesPivot,
} from "./timeseries-pivot.js";
export { TIMESTAMP_COLUMN_NAMES } from "./timestamp-column.js";
