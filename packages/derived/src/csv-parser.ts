// An RFC 4180 CSV parser that takes text in pieces and hands out records as it completes them.

import { PondError } from "@pond/tinyfs";

/**
 * A record longer than this is refused: it is almost always an unclosed quote, which would
 * otherwise hold the rest of the file in memory.
 */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Parses comma-separated records: fields quoted with `"` may hold commas, line breaks and `""`
 * (one quote); records end with LF, CRLF or CR; a line with nothing on it is skipped. A quote
 * inside an unquoted field, text after a closing quote, and a quote left open at the end are
 * EINVAL with their position. `onRecord` gets each record's fields; the array is reused, so it
 * must not be kept. Where field `i` of the record being handed out starts is {@link where}(i).
 */
export class CsvParser {
  /** Text of a record not yet complete, carried into the next piece. */
  private rest = "";
  /** Characters of the whole text before `rest`. */
  private offset = 0;
  /** The line the next record starts on, and where that line starts in the whole text. */
  private line = 1;
  private lineStart = 0;
  private readonly fields: string[] = [];
  /** The text being parsed, where the current record starts in it, and where each field does. */
  private text = "";
  private recordStart = 0;
  private readonly starts: number[] = [];
  /** The next comma, LF, CR and quote in `text` (its length when there is none). */
  private comma = -1;
  private lf = -1;
  private cr = -1;
  private quote = -1;

  constructor(
    /** The file's name, for messages. */
    private readonly name: string,
    private readonly onRecord: (fields: readonly string[]) => void,
  ) {}

  /**
   * `name:line:column` (both 1-based) of field `index` of the record being handed out. Worked
   * out only when asked, for a message: line breaks inside quoted fields are counted then.
   */
  where(index: number): string {
    const at = this.starts[index] ?? this.recordStart;
    let line = this.line;
    let lineStart = this.lineStart - this.offset; // relative to `text`
    for (
      let nl = this.text.indexOf("\n", this.recordStart);
      nl >= 0 && nl < at;
      nl = this.text.indexOf("\n", nl + 1)
    ) {
      line++;
      lineStart = nl + 1;
    }
    return `${this.name}:${line}:${at - lineStart + 1}`;
  }

  /** Parses the next piece of text; the records it completes are handed out now. */
  push(piece: string): void {
    this.parse(this.rest.length === 0 ? piece : this.rest + piece, false);
  }

  /** Parses what is left: the last record may lack its line break. */
  end(): void {
    if (this.rest.length > 0) this.parse(this.rest, true);
  }

  /** Where `char` next occurs in the text from `from`: `known` if still ahead, else searched. */
  private next(char: string, known: number, from: number): number {
    if (known >= from) return known;
    const at = this.text.indexOf(char, from);
    return at < 0 ? this.text.length : at;
  }

  private parse(text: string, final: boolean): void {
    this.text = text;
    this.comma = this.lf = this.cr = this.quote = -1;
    let i = 0;
    while (i < text.length) {
      const next = this.record(text, i, final);
      if (next < 0) break;
      i = next;
    }
    this.rest = text.slice(i);
    this.offset += i;
    if (this.rest.length > MAX_RECORD_CHARS) {
      throw new PondError(
        "EINVAL",
        `${this.name}:${this.line}:${this.offset - this.lineStart + 1}: a record longer than ${MAX_RECORD_CHARS / 1024 / 1024} Mi characters (a quote left open?)`,
      );
    }
  }

  /**
   * Parses the record at `start` of `text`, hands it out, and returns where the next one starts;
   * -1 when the text ends before the record does (and more may come).
   */
  private record(text: string, start: number, final: boolean): number {
    const length = text.length;
    const fields = this.fields;
    const starts = this.starts;
    fields.length = 0;
    this.recordStart = start;
    let line = this.line;
    let lineStart = this.lineStart - this.offset; // relative to `text`
    let i = start;
    for (;;) {
      const index = fields.length;
      starts[index] = i;
      if (i < length && text.charCodeAt(i) === QUOTE) {
        // A quoted field runs to the quote not followed by another.
        let value = "";
        let from = i + 1;
        let close: number;
        for (;;) {
          close = text.indexOf('"', from);
          if (close < 0) {
            if (final) this.fail(index, "a quoted field is not closed");
            return -1;
          }
          if (close === length - 1 && !final) return -1; // a second quote may follow
          value += text.slice(from, close);
          if (text.charCodeAt(close + 1) !== QUOTE) break;
          value += '"';
          from = close + 2;
        }
        for (
          let nl = text.indexOf("\n", i);
          nl >= 0 && nl < close;
          nl = text.indexOf("\n", nl + 1)
        ) {
          line++;
          lineStart = nl + 1;
        }
        i = close + 1;
        const c = text.charCodeAt(i);
        if (i < length && c !== COMMA && c !== CR && c !== LF) {
          starts[index] = i;
          this.fail(index, "text after the closing quote of a field");
        }
        fields.push(value);
      } else {
        // Unquoted: up to the next comma or line break, found by indexOf (native and fast) and
        // remembered until passed, so that each is searched for once.
        this.comma = this.next(",", this.comma, i);
        this.lf = this.next("\n", this.lf, i);
        this.cr = this.next("\r", this.cr, i);
        this.quote = this.next('"', this.quote, i);
        const j = Math.min(this.comma, this.lf, this.cr);
        if (this.quote < j) {
          starts[index] = this.quote;
          this.fail(index, "a quote inside an unquoted field (quote the whole field)");
        }
        if (j === length && !final) return -1;
        fields.push(text.slice(i, j));
        i = j;
      }
      // At a comma, a line break or the end of the text.
      if (i >= length) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 === length && !final) return -1; // an LF may follow in the next piece
        if (text.charCodeAt(i + 1) === LF) i++;
      }
      i++;
      line++;
      lineStart = i;
      break;
    }
    // A line with nothing on it is no record; a line holding "" is one empty field.
    if (fields.length > 1 || fields[0] !== "" || text.charCodeAt(start) === QUOTE) {
      this.onRecord(fields);
    }
    this.line = line;
    this.lineStart = lineStart + this.offset;
    return i;
  }

  private fail(index: number, detail: string): never {
    throw new PondError("EINVAL", `${this.where(index)}: ${detail}`);
  }
}
