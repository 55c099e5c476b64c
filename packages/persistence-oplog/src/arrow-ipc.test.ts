// The column encoders against apache-arrow's own reading of what they build.

import { Field, Int64, Schema, TimestampMicrosecond, tableFromIPC, Utf8 } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { int64Column, ipcOf, timestampColumn, utf8Column } from "./arrow-ipc.js";

describe("Arrow column encoders", () => {
  it("encodes strings, ASCII or not, lone surrogate halves and nulls included", () => {
    const values = ["abc", null, "", "é€😀", "x\ud83d", "\ude00y", "end"];
    const table = tableFromIPC(
      ipcOf(new Schema([new Field("s", new Utf8(), true)]), [utf8Column(values)], values.length),
    );
    const decoded = [...(table.getChild("s") ?? [])];
    // UTF-8 has no lone surrogates: each half becomes U+FFFD, as Buffer encodes it alone.
    expect(decoded).toEqual(["abc", null, "", "é€😀", "x\ufffd", "\ufffdy", "end"]);
  });

  it("encodes int64s and timestamps exactly, negative and beyond 32 bits included", () => {
    const values = [0, -1, 1, 2 ** 32, -(2 ** 32) - 5, 2 ** 53 - 1, -(2 ** 53) + 1, null];
    const millis = [0, 1_764_000_000_123, -86_400_000, 9_000_000_000_000];
    const table = tableFromIPC(
      ipcOf(new Schema([new Field("n", new Int64(), true)]), [int64Column(values)], values.length),
    );
    expect([...(table.getChild("n") ?? [])]).toEqual(
      values.map((v) => (v === null ? null : BigInt(v))),
    );
    const times = tableFromIPC(
      ipcOf(
        new Schema([new Field("t", new TimestampMicrosecond("UTC"), false)]),
        [timestampColumn(millis)],
        millis.length,
      ),
    );
    const micros = times.getChild("t")?.data[0]?.values as BigInt64Array;
    expect([...micros]).toEqual(millis.map((m) => BigInt(m) * 1000n));
  });
});
