// Assertion helpers shared by the conformance suite and the property test.

import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { expect } from "vitest";
import { PondError, type PondErrorCode } from "../errors.js";
import type { FS } from "../fs.js";
import type { GlobMatch } from "../wd.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** The expected sha256 of a content, computed apart from the backend's own hashing in Node. */
export function sha256(data: Uint8Array | string): string {
  return bytesToHex(nobleSha256(typeof data === "string" ? encoder.encode(data) : data));
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The error a call rejects with (fails the test if it resolves). */
export async function rejection(
  call: Promise<unknown> | (() => Promise<unknown>),
): Promise<unknown> {
  try {
    await (typeof call === "function" ? call() : call);
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * Asserts that a call fails with a PondError of `code` and, when `path` is
 * given, that the error names that path.
 */
export async function expectPondError(
  call: Promise<unknown> | (() => Promise<unknown>),
  code: PondErrorCode,
  path?: string,
): Promise<PondError> {
  const error = await rejection(call);
  if (!PondError.is(error)) {
    throw new Error(`expected a PondError ${code}, got ${String(error)}`, { cause: error });
  }
  expect(error.code, error.message).toBe(code);
  if (path !== undefined) expect(error.path, error.message).toBe(path);
  return error;
}

/** Every value of a glob or walk, in the order the backend yields them. */
export async function collect<T>(values: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of values) out.push(value);
  return out;
}

/** The matched paths of a glob, sorted (the suite does not depend on yield order unless it says so). */
export async function globPaths(matches: AsyncIterable<GlobMatch>): Promise<string[]> {
  return (await collect(matches)).map((m) => m.path).sort();
}

/** How many versions a pond's history has (version 0 included). */
export async function historyLength(fs: FS): Promise<number> {
  return (await fs.history()).length;
}

/** Deterministic pseudo-random bytes, so a failure reproduces. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
