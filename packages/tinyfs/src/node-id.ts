// Node identifiers: UUIDv7 strings, time-ordered and unique across processes.

import { getRandomValues } from "node:crypto";

/** A node's identity: a lowercase, hyphenated UUIDv7. */
export type NodeId = string;

/** The root directory's fixed id. */
export const ROOT_ID: NodeId = "00000000-0000-7000-8000-000000000000";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
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
    getRandomValues(pool);
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
  let s = "";
  for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) s = HEX[t % 256] + s;
  s = `${s.slice(0, 8)}-${s.slice(8)}-`;
  s += `${HEX[0x70 | (counter >> 8)]}${HEX[counter & 0xff]}-`;
  s += `${HEX[0x80 | ((pool[r] as number) & 0x3f)]}${HEX[pool[r + 1] as number]}-`;
  for (let i = 2; i < 8; i++) s += HEX[pool[r + i] as number];
  return s;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isNodeId(value: string): boolean {
  return UUID_V7.test(value);
}
