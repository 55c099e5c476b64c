// pond's SQL engine (DataFusion, in the native addon) behind tinyfs's QueryEngine: a table's
// stored sources are read by the addon straight from the op-log (inline contents from their rows,
// large files from `_large_files`); staged contents and other backends' come as bytes. The result
// comes back a piece of Arrow IPC at a time, pulled as the caller reads. apache-arrow is loaded
// when a query runs, not with the package.

import type { NodeMetadata, QueryEngine, QueryRun, QueryTable } from "@pond/tinyfs";
import { PondError } from "@pond/tinyfs";
import type { RecordBatch } from "apache-arrow";
import {
  type NativeQuery,
  nativeQuery,
  type QuerySourceSpec,
  type QueryTableSpec,
} from "./native.js";
import { native } from "./native-error.js";
import type { OpLogTable } from "./table.js";

/** Where a committed (or stored) content lies in an op-log pond: its row, or its large file. */
export class StoredContentLocation {
  constructor(
    readonly table: OpLogTable,
    readonly version: NodeMetadata,
    /** `_large_files/sha256=…` for a large content. */
    readonly contentRef: string | undefined,
  ) {}
}

/** The query engine of op-log ponds, and of any other pond given it. */
export const nativeQueryEngine: QueryEngine = {
  async run(sql: string, tables: readonly QueryTable[]): Promise<QueryRun> {
    const contents: Uint8Array[] = [];
    let table: OpLogTable | undefined;
    const specs: QueryTableSpec[] = tables.map((t) => ({
      name: t.name,
      pathColumn: t.pathColumn,
      ...(t.timeColumn !== undefined && { timeColumn: t.timeColumn }),
      ...(t.timeUnit !== undefined && { timeUnit: t.timeUnit }),
      ...(t.start !== undefined && { start: t.start }),
      ...(t.end !== undefined && { end: t.end }),
      sources: t.sources.map((source): QuerySourceSpec => {
        const { meta } = source;
        const spec: QuerySourceSpec = { path: source.path, size: meta.size, sha256: meta.sha256 };
        if (source.prunable && meta.minEventTime !== undefined && meta.maxEventTime !== undefined) {
          spec.minEventTime = meta.minEventTime;
          spec.maxEventTime = meta.maxEventTime;
        }
        if ("bytes" in source.content) {
          spec.content = contents.length;
          contents.push(source.content.bytes);
          return spec;
        }
        const stored = source.content.stored;
        if (!(stored instanceof StoredContentLocation)) {
          throw new PondError("EINVAL", "a stored content this engine cannot read", {
            path: source.path,
          });
        }
        if (table !== undefined && table !== stored.table) {
          throw new PondError("EINVAL", "a query reads one pond", { path: source.path });
        }
        table = stored.table;
        if (stored.contentRef !== undefined) {
          spec.contentRef = stored.contentRef;
        } else {
          spec.partId = stored.version.partId;
          spec.nodeId = stored.version.nodeId;
          spec.version = stored.version.version;
        }
        return spec;
      }),
    }));
    const running = table
      ? await table.query(sql, specs, contents)
      : await native(() => nativeQuery(sql, specs, contents));
    return queryRun(running);
  },
};

/** The pieces of a native query's IPC stream, pulled one at a time. */
async function* pieces(running: NativeQuery): AsyncGenerator<Uint8Array> {
  for (;;) {
    const piece = await native(() => running.next());
    if (piece === null) return;
    yield piece;
  }
}

function queryRun(running: NativeQuery): QueryRun {
  let started = false;
  async function* batches(): AsyncGenerator<RecordBatch> {
    if (started) throw new PondError("EINVAL", "a query's result is read once");
    started = true;
    const { RecordBatch, RecordBatchReader } = await import("apache-arrow/Arrow.node");
    const reader = await RecordBatchReader.from(pieces(running));
    let none = true;
    for await (const batch of reader) {
      none = false;
      yield batch;
    }
    // A result of no rows still has columns: one empty batch says which.
    if (none) yield new RecordBatch(reader.schema);
  }
  return {
    [Symbol.asyncIterator]: () => batches(),
    async table() {
      const { RecordBatchReader, Table } = await import("apache-arrow/Arrow.node");
      if (started) throw new PondError("EINVAL", "a query's result is read once");
      started = true;
      const reader = await RecordBatchReader.from(pieces(running));
      const all: RecordBatch[] = [];
      for await (const batch of reader) all.push(batch);
      return all.length > 0 ? new Table(all) : new Table(reader.schema);
    },
    sourcesRead: () => native(() => running.sourcesRead()),
  };
}
