// Cache keys: the computation, its parameters and every input's node version, canonical and hashed.

import { type NodeId, PondError, sha256Hex } from "@pond/tinyfs";

/** A parameter value: JSON without undefined array items, NaN or infinities. */
export type ParamValue =
  | null
  | boolean
  | number
  | string
  | readonly ParamValue[]
  | { readonly [name: string]: ParamValue | undefined };

/** A computation's parameters; keys whose value is `undefined` are left out. */
export type DerivedParams = { readonly [name: string]: ParamValue | undefined };

/** The node version an input was resolved to. */
export interface InputVersion {
  nodeId: NodeId;
  version: number;
}

/** A result's identity. */
export interface DerivedKey {
  /** Hex sha256 of `text`: safe as a file name. */
  hash: string;
  /** The canonical text that was hashed. */
  text: string;
}

// Bump when a computation's output changes for the same inputs, so old keys are not reused.
const KEY_FORMAT = "pond-derived/1";

const COMPUTATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** EINVAL unless `name` is usable as a computation name (it becomes a directory name). */
export function validateComputationName(name: string): void {
  if (typeof name !== "string" || !COMPUTATION_NAME.test(name)) {
    throw new PondError(
      "EINVAL",
      `invalid computation name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" (at most 100)`,
    );
  }
}

/** The key of `computation` over `inputs` (in order: it may matter to the computation) with `params`. */
export function derivedKey(
  computation: string,
  params: DerivedParams,
  inputs: readonly InputVersion[],
): DerivedKey {
  validateComputationName(computation);
  const text = `${KEY_FORMAT}\n${computation}\n${canonicalJson(params)}\n${inputs
    .map((input) => `${input.nodeId}@${input.version}`)
    .join(",")}`;
  return { hash: sha256Hex(new TextEncoder().encode(text)), text };
}

/**
 * JSON with object keys sorted at every level, so equal parameters give equal
 * text whatever order they were written in; EINVAL for what JSON cannot hold exactly.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, "params");
}

function encode(value: unknown, where: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(where, String(value));
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item, i) => {
        if (item === undefined) throw invalid(`${where}[${i}]`, "undefined");
        return encode(item, `${where}[${i}]`);
      })
      .join(",")}]`;
  }
  if (typeof value === "object" && isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const name of Object.keys(record).sort()) {
      const item = record[name];
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(name)}:${encode(item, `${where}.${name}`)}`);
    }
    return `{${parts.join(",")}}`;
  }
  throw invalid(where, typeof value === "object" ? "a non-plain object" : typeof value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalid(where: string, what: string): PondError {
  return new PondError("EINVAL", `${where} is ${what}; parameters must be plain JSON values`);
}
