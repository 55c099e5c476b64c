// One run of the property test: an operation sequence applied to a backend and to the model, compared step by step.

import { deepEqual } from "#platform/deep-equal";
import { PondError } from "../errors.js";
import type { FS } from "../fs.js";
import type { DirEntry, NodeMetadata } from "../node.js";
import { ROOT_ID } from "../node-id.js";
import type { WD } from "../wd.js";
import { collect, text } from "./assertions.js";
import type { BackendUnderTest } from "./backend-under-test.js";
import { dumpModel, ModelError, type ModelWd, PondModel } from "./model.js";
import { modelGlob } from "./model-glob.js";
import type { BasicOp, InnerOp, Op } from "./operations.js";
import { dumpTree } from "./tree-dump.js";

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; path?: string };

/** Thrown by a generated transaction to make it roll back. */
class Abort extends Error {
  constructor() {
    super("generated transaction abort");
  }
}

/** A disagreement between the backend and the model. */
export class Mismatch extends Error {
  override name = "Mismatch";
}

function show(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v instanceof Map ? [...v] : v), 1).replace(/\n\s*/g, " ");
}

/** Maps the model's node numbers to the backend's node ids, one to one. */
class IdMap {
  private readonly toReal = new Map<number, string>([[0, ROOT_ID]]);
  private readonly toModel = new Map<string, number>([[ROOT_ID, 0]]);

  /** The model id the real id stands for, binding them on first sight; undefined on a conflict. */
  bind(modelId: number, realId: string): number | undefined {
    const known = this.toReal.get(modelId);
    if (known !== undefined) return known === realId ? modelId : undefined;
    if (this.toModel.has(realId)) return undefined;
    this.toReal.set(modelId, realId);
    this.toModel.set(realId, modelId);
    return modelId;
  }
}

/** Rewrites the backend's ids in `real` to model ids, guided by the model's value of the same shape. */
function translateIds(real: unknown, expected: unknown, ids: IdMap): unknown {
  if (Array.isArray(real)) {
    return real.map((item, i) =>
      translateIds(item, Array.isArray(expected) ? expected[i] : undefined, ids),
    );
  }
  if (real === null || typeof real !== "object") return real;
  const out: Record<string, unknown> = {};
  const model = (expected ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(real)) {
    if ((key === "id" || key === "part") && typeof value === "string") {
      const modelId = model[key];
      const bound = typeof modelId === "number" ? ids.bind(modelId, value) : undefined;
      out[key] = bound ?? `unbound real id ${value}`;
    } else {
      out[key] = translateIds(value, model[key], ids);
    }
  }
  return out;
}

function realMeta(meta: NodeMetadata): Record<string, unknown> {
  if (!(meta.timestamp instanceof Date))
    throw new Mismatch(`timestamp is not a Date: ${show(meta)}`);
  const out: Record<string, unknown> = {
    id: meta.nodeId,
    part: meta.partId,
    entryType: meta.entryType,
    size: meta.size,
    sha256: meta.sha256,
  };
  if (meta.entryType !== "directory") out.version = meta.version;
  return out;
}

function realEntry(entry: DirEntry): Record<string, unknown> {
  return { name: entry.name, id: entry.nodeId, part: entry.partId, entryType: entry.entryType };
}

/** What the backend's answer to `op` looks like in the model's terms (before id translation). */
async function runReal(op: BasicOp | { op: "cd"; path: string }, wd: WD): Promise<unknown> {
  switch (op.op) {
    case "mkdir": {
      const made = await wd.createDirPath(op.path, { recursive: op.recursive });
      return { path: made.path, id: made.nodeId, wd: made };
    }
    case "cd": {
      const opened = await wd.openDirPath(op.path);
      return { path: opened.path, id: opened.nodeId, wd: opened };
    }
    case "write":
      return realMeta(
        await wd.writeFile(op.path, op.content, op.entryType ? { entryType: op.entryType } : {}),
      );
    case "symlink":
      return wd.createSymlinkPath(op.path, op.target);
    case "remove":
      return wd.remove(op.path, { recursive: op.recursive });
    case "rename":
      return wd.rename(op.from, op.to);
    case "read":
      return text(
        await wd.readFile(op.path, op.version === undefined ? {} : { version: op.version }),
      );
    case "readdir":
      return (await (op.path === undefined ? wd.readdir() : wd.readdir(op.path))).map(realEntry);
    case "stat":
      return realMeta(await wd.stat(op.path));
    case "lstat":
      return realMeta(await wd.lstat(op.path));
    case "exists":
      return wd.exists(op.path);
    case "readlink":
      return wd.readlink(op.path);
    case "versions": {
      const versions = await wd.listFileVersions(op.path);
      if (versions.length > 0 && versions.every((v) => v.entryType === "directory")) {
        return "directory";
      }
      return versions.map((v) => ({
        id: v.nodeId,
        version: v.version,
        size: v.size,
        sha256: v.sha256,
      }));
    }
    case "glob":
      return (await collect(wd.glob(op.pattern))).map((m) => ({
        path: m.path,
        entry: realEntry(m.entry),
        captures: m.captures,
      }));
  }
}

/** The model's answer to `op`. */
function runModel(
  op: BasicOp | { op: "cd"; path: string },
  model: PondModel,
  wd: ModelWd,
): unknown {
  switch (op.op) {
    case "mkdir": {
      const made = model.createDirPath(wd, op.path, op.recursive);
      return { path: model.wdPath(made.wd), id: made.id, wd: made.wd };
    }
    case "cd": {
      const opened = model.openDirPath(wd, op.path);
      return { path: model.wdPath(opened.wd), id: opened.id, wd: opened.wd };
    }
    case "write":
      return model.writeFile(wd, op.path, op.content, op.entryType);
    case "symlink":
      return model.createSymlinkPath(wd, op.path, op.target);
    case "remove":
      return model.remove(wd, op.path, op.recursive);
    case "rename":
      return model.rename(wd, op.from, op.to);
    case "read":
      return model.readFile(wd, op.path, op.version);
    case "readdir":
      return model.readdir(wd, op.path);
    case "stat":
      return model.stat(wd, op.path);
    case "lstat":
      return model.lstat(wd, op.path);
    case "exists":
      return model.exists(wd, op.path);
    case "readlink":
      return model.readlink(wd, op.path);
    case "versions":
      return model.listFileVersions(wd, op.path);
    case "glob":
      return modelGlob(model, wd, op.pattern);
  }
}

function modelOutcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof ModelError) return { ok: false, code: error.code, path: error.path };
    throw error;
  }
}

async function realOutcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof Mismatch) throw error;
    if (PondError.is(error)) {
      return error.path === undefined
        ? { ok: false, code: error.code }
        : { ok: false, code: error.code, path: error.path };
    }
    return { ok: false, code: `not a PondError: ${String(error)}` };
  }
}

/** Applies one operation sequence to a fresh pond of `backend` and to the model. */
export class PropertyRun {
  private readonly model = new PondModel();
  private readonly ids = new IdMap();
  private fs!: FS;
  private wd!: WD;
  private mwd: ModelWd = this.model.rootWd();
  private step = 0;
  private readonly views: FS[] = [];

  constructor(private readonly backend: BackendUnderTest) {}

  async run(ops: readonly Op[]): Promise<void> {
    this.fs = await this.backend.create();
    this.wd = this.fs.root();
    try {
      for (const op of ops) {
        this.step++;
        await this.apply(op);
        this.checkWd();
      }
      await this.finalCheck();
    } finally {
      for (const view of this.views) await view.close().catch(() => undefined);
      await this.fs.close().catch(() => undefined);
    }
  }

  private fail(what: string, expected: unknown, got: unknown): never {
    throw new Mismatch(
      `step ${this.step}, ${what}:\n  model:   ${show(expected)}\n  backend: ${show(got)}`,
    );
  }

  /** Runs a basic op (or cd) on both sides, compares, and returns the model's value. */
  private async compare(op: BasicOp | { op: "cd"; path: string }): Promise<Outcome> {
    const mwd = this.mwd;
    const wd = this.wd;
    const expected = modelOutcome(() => runModel(op, this.model, mwd));
    const got = await realOutcome(() => runReal(op, wd));
    const strip = (o: Outcome) => {
      if (!o.ok || o.value === null || typeof o.value !== "object" || !("wd" in o.value)) return o;
      const { wd: _wd, ...rest } = o.value as Record<string, unknown>;
      return { ok: true, value: rest };
    };
    const e = strip(expected);
    const g = strip(got);
    const translated = g.ok
      ? { ok: true, value: translateIds(g.value, e.ok ? e.value : undefined, this.ids) }
      : g;
    if (!deepEqual(translated, e)) this.fail(show(op), e, translated);
    if (op.op === "cd" && expected.ok && got.ok) {
      this.mwd = (expected.value as { wd: ModelWd }).wd;
      this.wd = (got.value as { wd: WD }).wd;
    }
    return expected;
  }

  /** The working directory moved or vanished: both sides go back to the root. */
  private checkWd(): void {
    if (this.model.chainOf(this.mwd)) return;
    this.mwd = this.model.rootWd();
    this.wd = this.fs.root();
  }

  private async apply(op: Op): Promise<void> {
    switch (op.op) {
      case "cd":
        await this.compare(op);
        return;
      case "txn":
        await this.transaction(op);
        return;
      case "travel":
        await this.travel(op.pick % (this.model.version + 1));
        return;
      case "history":
        await this.checkHistory();
        return;
      case "reopen": {
        if (!this.backend.reopen) return;
        this.fs = await this.backend.reopen(this.fs);
        const path = this.model.wdPath(this.mwd);
        this.wd = path === "/" ? this.fs.root() : await this.fs.root().openDirPath(path);
        return;
      }
      default: {
        this.model.begin();
        await this.compare(op);
        this.model.commit();
      }
    }
  }

  private async inner(op: InnerOp): Promise<void> {
    if (op.op !== "nested") {
      await this.compare(op);
      this.checkWd();
      return;
    }
    const savepoint = this.model.savepoint();
    const abort = new Abort();
    let error: unknown;
    try {
      await this.fs.transaction(async () => {
        for (const inner of op.ops) await this.inner(inner);
        if (op.fail) throw abort;
      });
    } catch (e) {
      error = e;
    }
    if (error instanceof Mismatch) throw error;
    if (op.fail) {
      if (error !== abort)
        this.fail("nested transaction rethrows its error", abort.message, String(error));
      this.model.restore(savepoint);
    } else if (error !== undefined) {
      this.fail("nested transaction succeeds", "success", String(error));
    }
    this.checkWd();
  }

  private async transaction(op: { ops: InnerOp[]; fail: boolean; message: string }): Promise<void> {
    const before = this.model.savepoint();
    this.model.begin();
    const abort = new Abort();
    let error: unknown;
    let value: unknown;
    try {
      value = await this.fs.transaction(
        async () => {
          for (const inner of op.ops) await this.inner(inner);
          if (op.fail) throw abort;
          return "done";
        },
        { message: op.message },
      );
    } catch (e) {
      error = e;
    }
    if (error instanceof Mismatch) throw error;
    if (op.fail) {
      if (error !== abort)
        this.fail("transaction rethrows its error", abort.message, String(error));
      this.model.rollback(before);
    } else {
      if (error !== undefined) this.fail("transaction commits", "success", String(error));
      if (value !== "done") this.fail("transaction returns its value", "done", value);
      this.model.commit(op.message);
    }
  }

  private async travel(version: number): Promise<void> {
    const view = await this.fs.atVersion(version);
    this.views.push(view);
    const expected = dumpModel(this.model.snapshots[version] as PondModel["root"]);
    const got = await dumpTree(view.root());
    if (!deepEqual(got, expected)) this.fail(`tree at version ${version}`, expected, got);
    await view.close();
    this.views.pop();
  }

  private async checkHistory(): Promise<void> {
    const history = await this.fs.history();
    const versions = history.map((h) => h.version);
    const expected = this.model.snapshots.map((_, v) => v);
    if (!deepEqual(versions, expected)) this.fail("history versions", expected, versions);
    for (const [v, info] of history.entries()) {
      if (v === 0) continue;
      const message = this.model.messages[v];
      if (message !== undefined ? info.message !== message : !info.message) {
        this.fail(
          `history message of version ${v}`,
          message ?? "a non-empty message",
          info.message,
        );
      }
    }
  }

  private async finalCheck(): Promise<void> {
    this.step++;
    const expected = dumpModel(this.model.root);
    const got = await dumpTree(this.fs.root());
    if (!deepEqual(got, expected)) this.fail("final tree", expected, got);
    await this.checkHistory();
    for (let v = 0; v <= this.model.version; v++) await this.travel(v);
  }
}
