// Parquet in and out through parquet-wasm, loaded on first use.

import { PondError } from "@pond/tinyfs";
import { type Table as ArrowTable, tableFromIPC, tableToIPC } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm";
import { loadParquetWasm, type ParquetWasmModule } from "#platform/parquet-wasm";
import { type FieldInfo, type TableView, viewFfiSchema, viewFfiTable } from "./arrow-ffi.js";

let loading: Promise<ParquetWasmModule> | undefined;

// Importing parquet-wasm compiles a 5 MB wasm module: only pay for it when Parquet is used.
function parquetWasm(): Promise<ParquetWasmModule> {
  loading ??= loadParquetWasm();
  return loading;
}

// One batch per 64 Ki rows keeps wasm memory modest without per-batch overhead showing.
const BATCH_ROWS = 65_536;

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** Whether `bytes` start and end with the Parquet magic number. */
export function looksLikeParquet(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const end = bytes.length - 4;
  return MAGIC.every((b, i) => bytes[i] === b && bytes[end + i] === b);
}

/** Which columns to decode, given the file's fields. */
export type ColumnSelector = (fields: readonly FieldInfo[]) => readonly string[];

/**
 * Decodes a Parquet file and hands `visit` zero-copy views of its columns. The
 * views live in wasm memory and die when `visit` returns, so `visit` must be
 * synchronous and must not keep them. EINVAL for bytes that are not Parquet,
 * CORRUPT for a Parquet file that cannot be decoded.
 *
 * With `select`, the table holds only the selected columns when leaving the
 * others out is worth it. parquet-wasm 0.8's synchronous `readParquet` ignores
 * its `columns` option and decodes every column; its async `ParquetFile`
 * honours it but decodes about three times slower and needs the bytes copied
 * into a Blob. So the async reader is used only when a variable-width column
 * (string, binary, nested) can be skipped: those dominate decoding time;
 * skipping a few fixed-width columns never paid for the slower reader.
 */
export async function visitParquet<T>(
  bytes: Uint8Array,
  visit: (table: TableView) => T,
  path?: string,
  select?: ColumnSelector,
): Promise<T> {
  const where = path === undefined ? {} : { path };
  if (!looksLikeParquet(bytes)) throw new PondError("EINVAL", "not a Parquet file", where);
  const pw = await parquetWasm();
  const corrupt = (cause: unknown) =>
    new PondError("CORRUPT", `unreadable Parquet file (${describe(cause)})`, { ...where, cause });
  let columns: readonly string[] | undefined;
  if (select) {
    const fields = readSchema(pw, bytes, corrupt);
    const wanted = new Set(select(fields));
    const skippable = fields.filter((f) => !wanted.has(f.name));
    if (skippable.some((f) => f.kind === "other")) columns = [...wanted];
  }
  let table: ParquetWasm.Table;
  try {
    if (columns === undefined) {
      table = pw.readParquet(bytes, { batchSize: BATCH_ROWS });
    } else {
      const file = await pw.ParquetFile.fromFile(new Blob([bytes]));
      try {
        table = await file.read({ batchSize: BATCH_ROWS, columns: [...columns] });
      } finally {
        file.free();
      }
    }
  } catch (cause) {
    throw corrupt(cause);
  }
  const ffi = table.intoFFI();
  try {
    return visit(viewFfiTable(pw.wasmMemory(), ffi.schemaAddr(), ffi.arrayAddrs()));
  } finally {
    ffi.free();
  }
}

/** A Parquet file's Arrow fields, read from its footer alone; EINVAL if it is not Parquet. */
export async function parquetFields(bytes: Uint8Array, path?: string): Promise<FieldInfo[]> {
  const where = path === undefined ? {} : { path };
  if (!looksLikeParquet(bytes)) throw new PondError("EINVAL", "not a Parquet file", where);
  const pw = await parquetWasm();
  return readSchema(pw, bytes, (cause) => {
    return new PondError("CORRUPT", `unreadable Parquet file (${describe(cause)})`, {
      ...where,
      cause,
    });
  });
}

/**
 * The file's Arrow fields. Only the footer is handed to parquet-wasm (framed
 * as a file without row groups' data): `readSchema` would copy the whole file
 * into wasm memory to read a few kilobytes.
 */
function readSchema(
  pw: ParquetWasmModule,
  bytes: Uint8Array,
  corrupt: (cause: unknown) => PondError,
): FieldInfo[] {
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(
    bytes.length - 8,
    true,
  );
  let schema: ParquetWasm.Schema;
  try {
    if (footerLength + 12 > bytes.length) throw new Error("footer longer than the file");
    const footer = new Uint8Array(footerLength + 12);
    footer.set(MAGIC);
    footer.set(bytes.subarray(bytes.length - 8 - footerLength), 4);
    schema = pw.readSchema(footer);
  } catch (cause) {
    throw corrupt(cause);
  }
  const ffi = schema.intoFFI();
  try {
    return viewFfiSchema(pw.wasmMemory(), ffi.addr());
  } finally {
    ffi.free();
  }
}

/** A whole Parquet file as an Arrow table; EINVAL if it is not Parquet, CORRUPT if undecodable. */
export async function readParquet(bytes: Uint8Array, path?: string): Promise<ArrowTable> {
  const where = path === undefined ? {} : { path };
  if (!looksLikeParquet(bytes)) throw new PondError("EINVAL", "not a Parquet file", where);
  const pw = await parquetWasm();
  try {
    return tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  } catch (cause) {
    throw new PondError("CORRUPT", `unreadable Parquet file (${describe(cause)})`, {
      ...where,
      cause,
    });
  }
}

/**
 * Writes an Arrow table as Parquet: Snappy-compressed (parquet-wasm's default
 * is uncompressed) and without dictionary encoding, which on aggregates (few
 * repeated values) only cost time: writing took several times longer with it.
 */
export async function writeParquet(table: ArrowTable): Promise<Uint8Array> {
  const pw = await parquetWasm();
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, "stream"));
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .build();
  return pw.writeParquet(wasmTable, properties);
}

/**
 * Writes Parquet as the batches come, each an Arrow IPC stream: memory holds a row group, not the
 * whole file. Compressed as {@link writeParquet} compresses; the columns are those of the first
 * batch, so an empty result still needs one batch of no rows. A failure of `batches` is thrown as
 * it was thrown, not as the writer's.
 */
export async function* writeParquetStream(
  batches: AsyncIterable<Uint8Array>,
  options: { rowGroupRows?: number; dictionary?: boolean } = {},
): AsyncGenerator<Uint8Array> {
  const pw = await parquetWasm();
  const source = batches[Symbol.asyncIterator]();
  let failure: unknown;
  const stream = new ReadableStream<ParquetWasm.RecordBatch>({
    async pull(controller) {
      try {
        const next = await source.next();
        if (next.done) {
          controller.close();
          return;
        }
        const table = pw.Table.fromIPCStream(next.value);
        try {
          for (let i = 0; i < table.numBatches; i++) {
            controller.enqueue(table.recordBatch(i) as ParquetWasm.RecordBatch);
          }
        } finally {
          table.free();
        }
      } catch (error) {
        failure = error;
        controller.error(error);
      }
    },
    async cancel() {
      await source.return?.();
    },
  });
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setDictionaryEnabled(options.dictionary ?? false);
  if (options.rowGroupRows !== undefined)
    builder = builder.setMaxRowGroupSize(options.rowGroupRows);
  const original = (error: unknown) => {
    throw failure ?? error;
  };
  const reader = (
    await pw.transformParquetStream(stream, builder.build()).catch(original)
  ).getReader();
  try {
    for (;;) {
      const next = await reader.read().catch(original);
      if (next.done) break;
      yield next.value;
    }
    // The writer may end its file normally after its source failed: the file is not whole.
    if (failure !== undefined) throw failure;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
