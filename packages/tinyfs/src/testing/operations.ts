// The operations the property test generates: plain, printable descriptions and their fast-check arbitraries.

import fc from "fast-check";
import type { FileEntryType } from "../node.js";

/** An operation on the working directory, allowed inside a transaction too. */
export type BasicOp =
  | { op: "mkdir"; path: string; recursive: boolean }
  | { op: "write"; path: string; content: string; entryType?: FileEntryType }
  | { op: "symlink"; path: string; target: string }
  | { op: "remove"; path: string; recursive: boolean }
  | { op: "rename"; from: string; to: string }
  | { op: "read"; path: string; version?: number }
  | { op: "readdir"; path?: string }
  | { op: "stat"; path: string }
  | { op: "lstat"; path: string }
  | { op: "exists"; path: string }
  | { op: "readlink"; path: string }
  | { op: "versions"; path: string }
  | { op: "glob"; pattern: string };

/** An operation inside a transaction: a basic one or a nested transaction. */
export type InnerOp = BasicOp | { op: "nested"; ops: BasicOp[]; fail: boolean };

/** A top-level step of a run. */
export type Op =
  | BasicOp
  | { op: "cd"; path: string }
  | { op: "txn"; ops: InnerOp[]; fail: boolean; message: string }
  | { op: "travel"; pick: number }
  | { op: "history" }
  | { op: "reopen" };

const NAMES = ["a", "b", "c", "d"] as const;

const name = fc.constantFrom(...NAMES);

/** Leading components favour a and b, so that deeper paths often exist. */
const dirName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "b") },
  { weight: 1, arbitrary: fc.constantFrom("c", "d") },
);

const component = fc.oneof(
  { weight: 12, arbitrary: dirName },
  { weight: 2, arbitrary: fc.constant("..") },
  { weight: 1, arbitrary: fc.constant(".") },
);

const finalComponent = fc.oneof(
  { weight: 20, arbitrary: name },
  { weight: 1, arbitrary: fc.constant("..") },
  { weight: 1, arbitrary: fc.constant(".") },
);

/** 0–2 leading components, mostly few, so that generated paths often name something that exists. */
const leading = fc.oneof(
  { weight: 5, arbitrary: fc.constant<string[]>([]) },
  { weight: 4, arbitrary: fc.array(component, { minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.array(component, { minLength: 2, maxLength: 2 }) },
);

/** Paths of depth 1–3 over a, b, c, d with `..` and `.`, absolute or relative, sometimes with a trailing `/`. */
export const pathArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .record({
        absolute: fc.oneof(
          { weight: 1, arbitrary: fc.constant(true) },
          { weight: 2, arbitrary: fc.constant(false) },
        ),
        leading,
        last: finalComponent,
        trailingSlash: fc.oneof(
          { weight: 9, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
      })
      .map(
        ({ absolute, leading, last, trailingSlash }) =>
          (absolute ? "/" : "") + [...leading, last].join("/") + (trailingSlash ? "/" : ""),
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom("/", ".", "..") },
);

/** Symlink targets: like paths, without a trailing slash. */
export const targetArb: fc.Arbitrary<string> = fc
  .record({
    absolute: fc.oneof(
      { weight: 1, arbitrary: fc.constant(true) },
      { weight: 2, arbitrary: fc.constant(false) },
    ),
    leading,
    last: fc.oneof(
      { weight: 8, arbitrary: name },
      { weight: 1, arbitrary: fc.constantFrom("..", ".") },
    ),
  })
  .map(({ absolute, leading, last }) => (absolute ? "/" : "") + [...leading, last].join("/"));

const globComponent = fc.oneof(
  { weight: 4, arbitrary: name },
  { weight: 3, arbitrary: fc.constant("*") },
  { weight: 1, arbitrary: fc.constantFrom("a*", "*b", "*c*") },
  { weight: 2, arbitrary: fc.constant("**") },
);

export const patternArb: fc.Arbitrary<string> = fc
  .record({
    absolute: fc.boolean(),
    components: fc.array(globComponent, { minLength: 1, maxLength: 3 }),
  })
  .map(({ absolute, components }) => (absolute ? "/" : "") + components.join("/"));

const contentArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 6, arbitrary: fc.nat(999).map((n) => `v${n}`) },
  { weight: 1, arbitrary: fc.constant("héllo €") },
);

const entryTypeArb = fc.option(fc.constantFrom<FileEntryType>("file:data", "file:table"), {
  nil: undefined,
  freq: 5,
});

const versionArb = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5) },
  ),
  { nil: undefined, freq: 2 },
);

export const basicOpArb: fc.Arbitrary<BasicOp> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("mkdir" as const),
      path: pathArb,
      recursive: fc.boolean(),
    }),
  },
  {
    weight: 7,
    arbitrary: fc
      .record({ path: pathArb, content: contentArb, entryType: entryTypeArb })
      .map(
        ({ path, content, entryType }): BasicOp =>
          entryType === undefined
            ? { op: "write", path, content }
            : { op: "write", path, content, entryType },
      ),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("symlink" as const), path: pathArb, target: targetArb }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("remove" as const),
      path: pathArb,
      recursive: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("rename" as const), from: pathArb, to: pathArb }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ path: pathArb, version: versionArb })
      .map(
        ({ path, version }): BasicOp =>
          version === undefined ? { op: "read", path } : { op: "read", path, version },
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .option(pathArb, { nil: undefined, freq: 3 })
      .map((path): BasicOp => (path === undefined ? { op: "readdir" } : { op: "readdir", path })),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("stat" as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("lstat" as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("exists" as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("readlink" as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("versions" as const), path: pathArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("glob" as const), pattern: patternArb }) },
);

const innerOpArb: fc.Arbitrary<InnerOp> = fc.oneof(
  { weight: 8, arbitrary: basicOpArb },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("nested" as const),
      ops: fc.array(basicOpArb, { minLength: 1, maxLength: 3 }),
      fail: fc.boolean(),
    }),
  },
);

/** Top-level operations; `reopen` only when the backend can reopen. */
export function opArb(withReopen: boolean): fc.Arbitrary<Op> {
  const ops: Array<fc.WeightedArbitrary<Op>> = [
    { weight: 30, arbitrary: basicOpArb },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("cd" as const), path: pathArb }) },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant("txn" as const),
        ops: fc.array(innerOpArb, { minLength: 0, maxLength: 5 }),
        fail: fc.oneof(
          { weight: 2, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
        message: fc.nat(99).map((n) => `txn ${n}`),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("travel" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ op: "history" as const }) },
  ];
  if (withReopen) ops.push({ weight: 3, arbitrary: fc.constant({ op: "reopen" as const }) });
  return fc.oneof(...ops);
}

/** Plain paths of 1–3 names, no dots or trailing slash: what a set-up step creates. */
const plainPathArb: fc.Arbitrary<string> = fc
  .record({
    absolute: fc.boolean(),
    dirs: fc.array(dirName, { maxLength: 2 }),
    last: name,
  })
  .map(({ absolute, dirs, last }) => (absolute ? "/" : "") + [...dirs, last].join("/"));

/** Directories a set-up step creates: 1–2 levels of mostly a and b. */
const setupDirArb: fc.Arbitrary<Op> = fc
  .array(dirName, { minLength: 1, maxLength: 2 })
  .map((dirs): Op => ({ op: "mkdir", path: dirs.join("/"), recursive: true }));

/** Steps that mostly succeed and grow the tree, so the random steps after them meet a populated pond. */
const setupOpArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      path: plainPathArb,
      content: contentArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("symlink" as const),
      path: plainPathArb,
      target: targetArb,
    }),
  },
);

/** A whole run: a few set-up steps, then random ones; about `steps` in all. */
export function runArb(steps: number, withReopen: boolean): fc.Arbitrary<Op[]> {
  const setup = Math.ceil(steps / 4);
  return fc
    .tuple(
      fc.array(setupDirArb, { minLength: 1, maxLength: 3 }),
      fc.array(setupOpArb, { maxLength: setup, size: "max" }),
      fc.array(opArb(withReopen), { maxLength: Math.max(0, steps - setup - 3), size: "max" }),
    )
    .map(([dirs, files, rest]) => [...dirs, ...files, ...rest]);
}
