// parquet-wasm in Node: its Node build reads and compiles the wasm module as it is imported.

import type * as ParquetWasm from "parquet-wasm";

export type ParquetWasmModule = typeof ParquetWasm;

export function loadParquetWasm(): Promise<ParquetWasmModule> {
  return import("parquet-wasm");
}
