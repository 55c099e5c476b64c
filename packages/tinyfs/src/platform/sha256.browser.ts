// Content digests in browsers. Web Crypto's digest is asynchronous only, and pond hashes
// synchronously as it stages a write, so a pure-JS SHA-256 stands in.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
