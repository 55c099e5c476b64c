// Aligned tables.

import { describe, expect, it } from "vitest";
import { renderTable } from "./table.js";

describe("renderTable", () => {
  it("pads columns to their widest cell, numbers to the right, the last column unpadded", () => {
    const lines = [
      ...renderTable(
        [{ header: "NAME" }, { header: "SIZE", align: "right" }, { header: "NOTE" }],
        [
          ["a", "1", "short"],
          ["longer-name", "12345", ""],
        ],
      ),
    ];
    expect(lines).toEqual([
      "NAME          SIZE  NOTE",
      "a                1  short",
      "longer-name  12345",
    ]);
  });

  it("can leave out the header and indent", () => {
    expect([
      ...renderTable([{ header: "X" }, { header: "Y" }], [["k", "v"]], {
        header: false,
        indent: "  ",
      }),
    ]).toEqual(["  k  v"]);
  });
});
