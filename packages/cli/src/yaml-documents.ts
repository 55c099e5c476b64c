// YAML files of dynamic node configs: every document as plain values, and where each key was written.

import type { ConfigKeys, ConfigLocator } from "@pond/derived";
import { PondError } from "@pond/tinyfs";

/** One document of a YAML file. */
export interface YamlDocument {
  /** 1 for the first document. */
  index: number;
  value: unknown;
  /** Where a key path of the document was written: "FILE document N, line L". */
  locate: ConfigLocator;
}

/**
 * The documents of `text` (the file `name`), empty ones left out. EINVAL naming the line for
 * text that is not YAML; duplicate keys included. The parser is loaded here, not at start-up.
 */
export async function readYamlDocuments(text: string, name: string): Promise<YamlDocument[]> {
  const { LineCounter, parseAllDocuments } = await import("yaml");
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  const out: YamlDocument[] = [];
  for (const [i, doc] of documents.entries()) {
    const index = i + 1;
    const [error] = doc.errors;
    if (error) {
      const line = lines.linePos(error.pos[0]).line;
      const detail = error.message.split("\n")[0];
      throw new PondError("EINVAL", `${name} document ${index}, line ${line}: ${detail}`);
    }
    if (doc.contents === null) continue;
    const lineOf = (offset: number | undefined) =>
      offset === undefined ? undefined : lines.linePos(offset).line;
    const locate = (keys: ConfigKeys): string => {
      // The deepest node the keys reach: a missing key is reported where its mapping is.
      for (let n = keys.length; n >= 0; n--) {
        const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] };
        const line = lineOf(node?.range?.[0]);
        if (line !== undefined) return `${name} document ${index}, line ${line}`;
      }
      return `${name} document ${index}`;
    };
    out.push({ index, value: doc.toJS({ maxAliasCount: 100 }), locate });
  }
  return out;
}
