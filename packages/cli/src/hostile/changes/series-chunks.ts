// Series versions pond's own copy would refuse or never write: a schema that cannot be unioned
// with the others, no time column, bytes that are not Parquet, an event-time range upside down.

import { sha256Hex } from "@pond/tinyfs";
import fc from "fast-check";
import type { BasePond } from "../base-pond.js";
import { type ChangeClass, crafted } from "../crafted-change.js";
import { base64, text } from "../crafted-rows.js";
import type { CraftedRow } from "../delta-worker.js";

export interface SeriesChunkChange {
  chunk: "string-values" | "no-time-column" | "not-parquet" | "inverted-range";
}

const START = Date.UTC(2025, 0, 5);
const times = [START, START + 3_600_000, START + 7_200_000];

export const seriesChunks: ChangeClass<SeriesChunkChange> = {
  name: "series chunks",
  scope: "local",
  arbitrary: (_base: BasePond) =>
    fc.record({
      chunk: fc.constantFrom<SeriesChunkChange["chunk"]>(
        "string-values",
        "no-time-column",
        "not-parquet",
        "inverted-range",
      ),
    }),

  async craft(context, { chunk }) {
    const series = context.node(context.base.series);
    const row: CraftedRow = {
      part_id: series.partId,
      node_id: series.nodeId,
      entry_type: series.entryType,
      version: context.nextVersion(series),
      size: 0,
      attrs: series.attrs,
      min_event_time: START,
      max_event_time: times[2] as number,
    };
    if (chunk === "not-parquet") {
      const bytes = text("these bytes are not Parquet\n");
      Object.assign(row, { content: base64(bytes), size: bytes.length, sha256: sha256Hex(bytes) });
    } else {
      row.parquet = {
        ...(chunk !== "no-time-column" && { timestamp: { type: "timestamp_ms", values: times } }),
        value:
          chunk === "string-values"
            ? { type: "string", values: ["a", "b", "c"] }
            : { type: "float64", values: [1, 2, 3] },
      };
    }
    if (chunk === "inverted-range") {
      row.min_event_time = times[2] as number;
      row.max_event_time = START;
    }
    const version = await context.commit([row]);
    const path = context.base.series;
    return crafted(
      `${path} (node ${series.nodeId}) got a version ${row.version} with ${chunk} in version ${version}`,
      { versions: [version], targets: [path], damaged: [path] },
    );
  },
};
