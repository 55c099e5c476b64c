// parquet-wasm in browsers: its ES module build fetches parquet_wasm_bg.wasm from beside
// the module that imports it (a bundle's own URL once bundled), then compiles it.

import type * as ParquetWasm from "parquet-wasm";

export type ParquetWasmModule = typeof ParquetWasm;

export async function loadParquetWasm(): Promise<ParquetWasmModule> {
  const pw = await import("parquet-wasm/esm");
  await pw.default();
  return pw as unknown as ParquetWasmModule;
}
