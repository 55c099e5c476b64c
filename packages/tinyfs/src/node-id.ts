// Node identifiers: UUIDv7 strings, time-ordered and unique across processes.

/** A node's identity: a lowercase, hyphenated UUIDv7. */
export type NodeId = string;

/** The root directory's fixed id. */
export const ROOT_ID: NodeId = "00000000-0000-7000-8000-000000000000";

const HEX_DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
// The id's characters are written here and read out as one flat string: one built by
// concatenation would be a tree of string pieces, kept as long as the id is.
const chars = Array.from(ROOT_ID, (c) => c.charCodeAt(0));
const ID_RANDOM_BYTES = 10;
// Random bytes are drawn in bulk: one call per 512 ids, not one per id.
const pool = new Uint8Array(ID_RANDOM_BYTES * 512);
let poolOffset = pool.length;
let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7. The 12-bit `rand_a` field is a per-millisecond counter seeded
 * randomly (RFC 9562 method 1), so ids made in one process are strictly
 * increasing; the 62 random bits of `rand_b` keep processes apart.
 */
export function newNodeId(): NodeId {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += ID_RANDOM_BYTES;
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = (((pool[r + 8] as number) << 8) | (pool[r + 9] as number)) & 0x7ff;
  } else {
    ms = lastMs;
    if (++counter > 0xfff) {
      lastMs = ++ms;
      counter = 0;
    }
  }
  const byte = (i: number) => pool[r + i] as number;
  writeHex(0, Math.floor(ms / 0x10000), 8);
  writeHex(9, ms % 0x10000, 4);
  writeHex(14, 0x7000 | counter, 4);
  writeHex(19, 0x8000 | ((byte(0) & 0x3f) << 8) | byte(1), 4);
  writeHex(24, (byte(2) << 16) | (byte(3) << 8) | byte(4), 6);
  writeHex(30, (byte(5) << 16) | (byte(6) << 8) | byte(7), 6);
  return String.fromCharCode.apply(null, chars);
}

/** Writes `value` as `digits` hex digits into `chars` from `at`. */
function writeHex(at: number, value: number, digits: number): void {
  for (let i = at + digits - 1; i >= at; i--) {
    chars[i] = HEX_DIGITS[value & 0xf] as number;
    value >>>= 4;
  }
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isNodeId(value: string): boolean {
  return UUID_V7.test(value);
}
