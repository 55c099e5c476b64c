// Content digests recorded with every file and symlink version, in Node: OpenSSL through node:crypto.

import * as crypto from "node:crypto";

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: "hex") => string;
// crypto.hash (Node ≥ 20.12) skips the Hash object: much faster for small inputs.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

export function sha256Hex(bytes: Uint8Array): string {
  if (oneShot) return oneShot("sha256", bytes, "hex");
  return crypto.createHash("sha256").update(bytes).digest("hex");
}
