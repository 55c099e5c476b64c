// Node identifiers: UUIDv7 strings, time-ordered and unique across processes.

import { getRandomValues } from "node:crypto";

/** A node's identity: a lowercase, hyphenated UUIDv7. */
export type NodeId = string;

/** The root directory's fixed id. */
export const ROOT_ID: NodeId = "00000000-0000-7000-8000-000000000000";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const random = new Uint8Array(10);
let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7. The 12-bit `rand_a` field is a per-millisecond counter seeded
 * randomly (RFC 9562 method 1), so ids made in one process are strictly
 * increasing; the 62 random bits of `rand_b` keep processes apart.
 */
export function newNodeId(): NodeId {
  let ms = Date.now();
  getRandomValues(random);
  if (ms > lastMs) {
    lastMs = ms;
    counter = ((random[8] ?? 0) << 4) & 0x7ff;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      lastMs = ++ms;
      counter = 0;
    }
  }
  const b = new Uint8Array(16);
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((random[0] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = random[i - 8] ?? 0;
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[b[i] as number];
  }
  return s;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isNodeId(value: string): boolean {
  return UUID_V7.test(value);
}
