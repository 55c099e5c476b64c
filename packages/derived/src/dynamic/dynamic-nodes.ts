// Reading through dynamic nodes: which paths they hold, and those paths' stat, listing and content.

import {
  DYNAMIC_KIND_ATTR,
  type DynamicReader,
  dynamicKind,
  type EntryType,
  type FileEntryType,
  type FS,
  type NodeMetadata,
  PondError,
  parsePath,
  type WD,
} from "@pond/tinyfs";
import type { DerivedFile, DerivedFileManager } from "../derived-file-manager.js";
import { canonicalJson } from "../derived-key.js";
import { type ConfigLocator, ConfigReader } from "./config-reader.js";
import type { DynamicKind, DynamicOutput } from "./dynamic-kind.js";

/** A path at or below a dynamic node. */
export interface DynamicLocation {
  /** The dynamic node's absolute path. */
  node: string;
  /** The newest version of the node (its config) in the pond read. */
  meta: NodeMetadata;
  kind: DynamicKind;
  /** The config, validated. */
  config: unknown;
  /** The names below the node the path asks for (none for the node itself). */
  names: string[];
}

/** What a path at or below a dynamic node names. */
export interface DynamicStat {
  /** The absolute path asked for. */
  path: string;
  /** The dynamic node's absolute path, its kind, its metadata and its config. */
  node: string;
  kind: string;
  nodeMeta: NodeMetadata;
  config: unknown;
  /** Whether the path is the dynamic node itself. */
  isNode: boolean;
  entryType: "directory" | FileEntryType;
  /** A file's bytes (computed), or a directory's entry count. */
  size: number;
  /** A file's computed result. */
  file?: DerivedFile;
}

/** One computed entry of a dynamic directory. */
export interface DynamicEntry {
  name: string;
  entryType: EntryType;
}

/**
 * The dynamic nodes of one pond (as of the version `fs` shows), read through the manager that
 * computes and caches their outputs. Paths are from the root.
 */
export class DynamicNodes implements DynamicReader {
  private readonly kinds = new Map<string, DynamicKind>();

  constructor(
    private readonly fs: FS,
    private readonly manager: DerivedFileManager,
  ) {}

  /** Makes `kind` known; EINVAL for a name already taken. */
  register(kind: DynamicKind): void {
    if (this.kinds.has(kind.name)) {
      throw new PondError("EINVAL", `dynamic node kind ${kind.name} is already registered`);
    }
    this.kinds.set(kind.name, kind);
  }

  /** The kind named `name`; EINVAL naming the known ones otherwise. */
  kind(name: string): DynamicKind {
    const kind = this.kinds.get(name);
    if (kind === undefined) {
      throw new PondError(
        "EINVAL",
        `no dynamic node kind ${JSON.stringify(name)} (known: ${[...this.kinds.keys()].join(", ")})`,
      );
    }
    return kind;
  }

  /**
   * The dynamic node `path` is or leads into, or undefined for a path of stored nodes only.
   * ENOENT and the like as a stat of `path` reports them.
   */
  async locate(path: string): Promise<DynamicLocation | undefined> {
    const root = this.fs.root();
    const absolute = absolutePath(path);
    let meta: NodeMetadata;
    try {
      meta = await root.stat(absolute);
    } catch (error) {
      if (!PondError.is(error, "ENOTDIR")) throw error;
      // Some component is a file: a dynamic node, or an ordinary file in the way.
      const components = parsePath(absolute).components;
      let prefix = "";
      for (const [i, name] of components.entries()) {
        prefix += `/${name}`;
        const above = await root.stat(prefix);
        if (above.entryType === "directory") continue;
        if (dynamicKind(above) === undefined) throw error.withPath(path);
        return this.load(prefix, above, components.slice(i + 1));
      }
      throw error;
    }
    return dynamicKind(meta) === undefined ? undefined : this.load(absolute, meta, []);
  }

  /** What `path`, at or below a dynamic node, names; a file's content is computed. */
  async stat(path: string): Promise<DynamicStat> {
    const location = await this.required(path);
    const found = await this.find(location, path);
    const base = {
      path: absolutePath(path),
      node: location.node,
      kind: location.kind.name,
      nodeMeta: location.meta,
      config: location.config,
      isNode: location.names.length === 0,
    };
    if (found.output === undefined) {
      return { ...base, entryType: "directory", size: found.entries.length };
    }
    const file = await found.output.compute();
    return { ...base, entryType: found.output.entryType, size: file.size, file };
  }

  /** The computed entries of a dynamic directory, sorted by name; ENOTDIR for a file. */
  async readdir(path: string): Promise<DynamicEntry[]> {
    const location = await this.required(path);
    const found = await this.find(location, path);
    if (found.output !== undefined) throw new PondError("ENOTDIR", "not a directory", { path });
    return found.entries;
  }

  /** The computed file at `path`; EISDIR for a dynamic directory. */
  async readFile(path: string): Promise<DerivedFile> {
    const location = await this.required(path);
    const found = await this.find(location, path);
    if (found.output === undefined) throw new PondError("EISDIR", "is a directory", { path });
    return found.output.compute();
  }

  private async required(path: string): Promise<DynamicLocation> {
    const location = await this.locate(path);
    if (location === undefined) {
      throw new PondError("EINVAL", "not a dynamic node or a path below one", { path });
    }
    return location;
  }

  /** The output at the location's names, or the entries of the directory they name. */
  private async find(
    location: DynamicLocation,
    path: string,
  ): Promise<{ output?: DynamicOutput; entries: DynamicEntry[] }> {
    const outputs = await location.kind.outputs(location.config, {
      root: this.fs.root(),
      manager: this.manager,
      path: location.node,
    });
    const { names } = location;
    const entries = new Map<string, EntryType>();
    for (const output of outputs) {
      if (!names.every((name, i) => output.names[i] === name)) continue;
      if (output.names.length === names.length) return { output, entries: [] };
      const child = output.names[names.length] as string;
      entries.set(child, output.names.length === names.length + 1 ? output.entryType : "directory");
    }
    if (names.length > 0 && entries.size === 0) {
      throw new PondError("ENOENT", "no such file or directory", { path });
    }
    const sorted = [...entries]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, entryType]) => ({ name, entryType }));
    return { entries: sorted };
  }

  private async load(node: string, meta: NodeMetadata, names: string[]): Promise<DynamicLocation> {
    const kind = this.kind(dynamicKind(meta) as string);
    const bytes = await this.fs.root().readFile(node, { version: meta.version });
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new PondError("CORRUPT", "a dynamic node's config is not JSON", { path: node });
    }
    const config = kind.config(raw, new ConfigReader(kind.name));
    return { node, meta, kind, config, names };
  }
}

/** What writing a dynamic node did. */
export interface DynamicWrite {
  path: string;
  /** False when the node already held this kind and config: nothing was written. */
  changed: boolean;
}

/**
 * Creates the dynamic node `path` of `kind` with `config`, or gives an existing one a new version
 * if its kind or config differ (the same ones again write nothing). EINVAL for an invalid config
 * (naming the key, and where `locate` says it is), EEXIST when `path` is another kind of node.
 */
export async function writeDynamicNode(
  root: WD,
  kind: DynamicKind,
  path: string,
  config: unknown,
  locate?: ConfigLocator,
): Promise<DynamicWrite> {
  kind.config(config, new ConfigReader(kind.name, locate));
  const content = `${canonicalJson(config)}\n`;
  const existing = await root.stat(path).catch((error: unknown) => {
    if (PondError.is(error, "ENOENT")) return undefined;
    throw error;
  });
  if (existing !== undefined) {
    const current = dynamicKind(existing);
    if (current === undefined) {
      throw new PondError("EEXIST", "already exists and is not a dynamic node", { path });
    }
    const stored = new TextDecoder().decode(await root.readFile(path));
    if (current === kind.name && stored === content) return { path, changed: false };
  }
  await root.writeFile(path, content, { attrs: { [DYNAMIC_KIND_ATTR]: kind.name } });
  return { path, changed: true };
}

function absolutePath(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}
