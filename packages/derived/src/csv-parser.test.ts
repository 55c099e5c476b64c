// The CSV parser: RFC 4180 quoting, line breaks of every kind, pieces split anywhere, positions.

import { describe, expect, it } from "vitest";
import { CsvParser, MAX_RECORD_CHARS } from "./csv-parser.js";

/** The records of `pieces`, and each record's first field position. */
function parse(...pieces: string[]): string[][] {
  const records: string[][] = [];
  const parser = new CsvParser("t.csv", (fields) => records.push([...fields]));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return records;
}

function failure(...pieces: string[]): string {
  try {
    parse(...pieces);
  } catch (error) {
    expect(error).toMatchObject({ code: "EINVAL" });
    return (error as Error).message;
  }
  throw new Error("parsed without an error");
}

const TRICKY = [
  "name,note,n\r\n",
  '"Smith, J.","said ""hi""\r\nthen left",1\r\n',
  "\r\n",
  'plain,"",2\n',
  '"",,3\r',
  'a,"multi\nline\nvalue",4',
].join("");

const TRICKY_RECORDS = [
  ["name", "note", "n"],
  ["Smith, J.", 'said "hi"\r\nthen left', "1"],
  ["plain", "", "2"],
  ["", "", "3"],
  ["a", "multi\nline\nvalue", "4"],
];

describe("CsvParser", () => {
  it("reads quoted commas, line breaks and doubled quotes; LF, CRLF and CR; skips empty lines", () => {
    expect(parse(TRICKY)).toEqual(TRICKY_RECORDS);
  });

  it("gives the same records wherever the text is split into pieces", () => {
    for (let cut = 0; cut <= TRICKY.length; cut++) {
      expect(parse(TRICKY.slice(0, cut), TRICKY.slice(cut))).toEqual(TRICKY_RECORDS);
    }
    expect(parse(...TRICKY.split(""))).toEqual(TRICKY_RECORDS);
  });

  it("keeps a line holding only an empty quoted field, and a trailing empty field", () => {
    expect(parse('x\n""\n\n')).toEqual([["x"], [""]]);
    expect(parse("a,b\n1,\n")).toEqual([
      ["a", "b"],
      ["1", ""],
    ]);
  });

  it("reports the line and column where each field starts, line breaks in quotes counted", () => {
    const seen: string[] = [];
    const parser = new CsvParser("t.csv", (fields) => {
      seen.push(fields.map((_, i) => parser.where(i)).join(" "));
    });
    parser.push('a,bb,c\n"x\ny",z,\r\n1,2,3');
    parser.end();
    expect(seen).toEqual([
      "t.csv:1:1 t.csv:1:3 t.csv:1:6",
      "t.csv:2:1 t.csv:3:4 t.csv:3:6",
      "t.csv:4:1 t.csv:4:3 t.csv:4:5",
    ]);
  });

  it("rejects malformed quoting with its position", () => {
    expect(failure('a,b\n1,"open\n2,3\n')).toBe("EINVAL: t.csv:2:3: a quoted field is not closed");
    expect(failure('a,b\n1,"x"y\n')).toBe(
      "EINVAL: t.csv:2:6: text after the closing quote of a field",
    );
    expect(failure('a,b\n1,x"y\n')).toBe(
      "EINVAL: t.csv:2:4: a quote inside an unquoted field (quote the whole field)",
    );
  });

  it("refuses a record longer than its limit rather than holding the rest of the text", () => {
    const piece = "x".repeat(1024 * 1024);
    const pieces = [
      'a\n"',
      ...Array.from({ length: MAX_RECORD_CHARS / piece.length + 1 }, () => piece),
    ];
    expect(failure(...pieces)).toMatch(
      /^EINVAL: t\.csv:2:1: a record longer than 16 Mi characters/,
    );
  });
});
