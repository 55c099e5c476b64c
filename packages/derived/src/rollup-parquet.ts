// Parquet for rollup results, assembled from row groups encoded once: a rollup's result is
// every bucket of its history, and re-encoding all of it (parquet-wasm writes whole tables)
// would make each update cost the history instead of the new chunk. A row group here holds
// the buckets of one block of bucket indices; blocks no fold touched keep their bytes, and
// the file is those bytes and a new footer. Plain encoding, uncompressed, one page per column
// chunk: aggregates of readings compress little, and nothing needs to be decoded again.

/** A column of the result: the bucket start, an aggregate (doubles, null where no value), a count. */
export type RollupColumnKind = "timestamp" | "double" | "count";

export interface RollupColumn {
  name: string;
  kind: RollupColumnKind;
}

/** One row group's bytes, with where each column chunk starts in them. */
export interface EncodedGroup {
  bytes: Uint8Array;
  rows: number;
  /** Per column: where its page (header and data) starts in `bytes`, and its size. */
  chunks: Array<{ offset: number; size: number }>;
}

const INT64 = 2;
const DOUBLE = 5;
const PLAIN = 0;
const RLE = 3;

/**
 * Encodes `rows` rows as one row group: `values[c]` holds column c's values as doubles (whole
 * numbers for int64 columns), `valid[c]` the validity bitmap of a double column (null: all valid).
 */
export function encodeGroup(
  columns: readonly RollupColumn[],
  rows: number,
  values: readonly Float64Array[],
  valid: ReadonlyArray<Uint8Array | null>,
): EncodedGroup {
  const pages: Uint8Array[] = [];
  for (const [c, column] of columns.entries()) {
    const data = values[c] as Float64Array;
    let body: Uint8Array;
    if (column.kind === "double") {
      const bitmap = valid[c] ?? null;
      const groups = (rows + 7) >>> 3;
      // Definition levels: one bit-packed run of the validity bits (LSB first, as Arrow's).
      const header = varint(groups * 2 + 1);
      let present = rows;
      if (bitmap !== null) {
        present = 0;
        for (let i = 0; i < rows; i++) present += ((bitmap[i >>> 3] as number) >>> (i & 7)) & 1;
      }
      const levelsLength = header.length + groups;
      body = new Uint8Array(4 + levelsLength + 8 * present);
      new DataView(body.buffer).setUint32(0, levelsLength, true);
      body.set(header, 4);
      const levels = body.subarray(4 + header.length, 4 + levelsLength);
      if (bitmap === null) levels.fill(0xff);
      else levels.set(bitmap.subarray(0, groups));
      if (rows & 7) levels[groups - 1] = (levels[groups - 1] as number) & ((1 << (rows & 7)) - 1);
      const out = new Float64Array(present);
      if (bitmap === null) out.set(data.subarray(0, rows));
      else {
        let j = 0;
        for (let i = 0; i < rows; i++) {
          if ((((bitmap[i >>> 3] as number) >>> (i & 7)) & 1) === 1) out[j++] = data[i] as number;
        }
      }
      body.set(new Uint8Array(out.buffer), 4 + levelsLength);
    } else {
      const words = new Int32Array(2 * rows);
      for (let i = 0; i < rows; i++) {
        const v = data[i] as number;
        const hi = Math.floor(v / 4294967296);
        words[2 * i] = v - hi * 4294967296;
        words[2 * i + 1] = hi;
      }
      body = new Uint8Array(words.buffer);
    }
    const header = new Thrift();
    header.i32(1, 0); // DATA_PAGE
    header.i32(2, body.length);
    header.i32(3, body.length);
    header.beginStruct(5);
    header.i32(1, rows);
    header.i32(2, PLAIN);
    header.i32(3, RLE);
    header.i32(4, RLE);
    header.endStruct();
    header.stop();
    pages.push(header.bytes(), body);
  }
  const size = pages.reduce((sum, p) => sum + p.length, 0);
  const bytes = new Uint8Array(size);
  const chunks: EncodedGroup["chunks"] = [];
  let at = 0;
  for (let p = 0; p < pages.length; p += 2) {
    const start = at;
    for (const page of [pages[p] as Uint8Array, pages[p + 1] as Uint8Array]) {
      bytes.set(page, at);
      at += page.length;
    }
    chunks.push({ offset: start, size: at - start });
  }
  return { bytes, rows, chunks };
}

/** A Parquet file of `groups`, in order, with `columns` as its schema. */
export function assembleParquet(
  columns: readonly RollupColumn[],
  groups: readonly EncodedGroup[],
): Uint8Array {
  const footer = new Thrift();
  footer.i32(1, 1); // version
  footer.beginList(2, columns.length + 1);
  footer.listStruct();
  footer.string(4, "schema");
  footer.i32(5, columns.length);
  footer.endStruct();
  for (const column of columns) {
    footer.listStruct();
    footer.i32(1, column.kind === "double" ? DOUBLE : INT64);
    footer.i32(3, column.kind === "double" ? 1 : 0); // OPTIONAL : REQUIRED
    footer.string(4, column.name);
    if (column.kind === "timestamp") {
      footer.i32(6, 9); // TIMESTAMP_MILLIS
      footer.beginStruct(10); // LogicalType
      footer.beginStruct(8); // TIMESTAMP
      footer.bool(1, true); // isAdjustedToUTC
      footer.beginStruct(2); // unit
      footer.beginStruct(1); // MILLIS
      footer.endStruct();
      footer.endStruct();
      footer.endStruct();
      footer.endStruct();
    }
    footer.endStruct();
  }
  const rows = groups.reduce((sum, g) => sum + g.rows, 0);
  footer.i64(3, rows);
  footer.beginList(4, groups.length);
  let at = 4;
  for (const group of groups) {
    footer.listStruct();
    footer.beginList(1, columns.length);
    for (const [c, column] of columns.entries()) {
      const chunk = group.chunks[c] as { offset: number; size: number };
      const offset = at + chunk.offset;
      footer.listStruct();
      footer.i64(2, offset); // file_offset
      footer.beginStruct(3);
      footer.i32(1, column.kind === "double" ? DOUBLE : INT64);
      footer.beginList(2, 2, 5);
      footer.listI32(PLAIN);
      footer.listI32(RLE);
      footer.beginList(3, 1, 8);
      footer.listString(column.name);
      footer.i32(4, 0); // UNCOMPRESSED
      footer.i64(5, group.rows);
      footer.i64(6, chunk.size);
      footer.i64(7, chunk.size);
      footer.i64(9, offset); // data_page_offset
      footer.endStruct();
      footer.endStruct();
    }
    footer.i64(2, group.bytes.length);
    footer.i64(3, group.rows);
    footer.endStruct();
    at += group.bytes.length;
  }
  footer.string(6, "pond temporal-reduce");
  footer.stop();
  const meta = footer.bytes();
  const file = new Uint8Array(at + meta.length + 8);
  const magic = [0x50, 0x41, 0x52, 0x31];
  file.set(magic, 0);
  at = 4;
  for (const group of groups) {
    file.set(group.bytes, at);
    at += group.bytes.length;
  }
  file.set(meta, at);
  new DataView(file.buffer).setUint32(at + meta.length, meta.length, true);
  file.set(magic, at + meta.length + 4);
  return file;
}

/** Thrift's compact protocol, the few types Parquet's metadata needs. */
class Thrift {
  private readonly out: number[] = [];
  private readonly lastIds: number[] = [];
  private lastId = 0;

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  i32(id: number, value: number): void {
    this.field(id, 5);
    this.varint(zigzag(value));
  }

  i64(id: number, value: number): void {
    this.field(id, 6);
    this.varint(zigzag(value));
  }

  bool(id: number, value: boolean): void {
    this.field(id, value ? 1 : 2);
  }

  string(id: number, value: string): void {
    this.field(id, 8);
    this.listString(value);
  }

  beginStruct(id: number): void {
    this.field(id, 12);
    this.lastIds.push(this.lastId);
    this.lastId = 0;
  }

  endStruct(): void {
    this.out.push(0);
    this.lastId = this.lastIds.pop() ?? 0;
  }

  stop(): void {
    this.out.push(0);
  }

  /** A list field of `size` elements of `type` (default: structs). */
  beginList(id: number, size: number, type = 12): void {
    this.field(id, 9);
    if (size < 15) this.out.push((size << 4) | type);
    else {
      this.out.push(0xf0 | type);
      this.varint(size);
    }
  }

  /** Starts a struct that is a list element. */
  listStruct(): void {
    this.lastIds.push(this.lastId);
    this.lastId = 0;
  }

  listI32(value: number): void {
    this.varint(zigzag(value));
  }

  listString(value: string): void {
    const bytes = new TextEncoder().encode(value);
    this.varint(bytes.length);
    for (const b of bytes) this.out.push(b);
  }

  private field(id: number, type: number): void {
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
    else {
      this.out.push(type);
      this.varint(zigzag(id));
    }
    this.lastId = id;
  }

  /** An unsigned varint of a whole number below 2^53. */
  private varint(value: number): void {
    let v = value;
    while (v >= 128) {
      this.out.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    this.out.push(v);
  }
}

function zigzag(value: number): number {
  return value >= 0 ? 2 * value : -2 * value - 1;
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}
