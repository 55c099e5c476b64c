// pond apply: create or reconfigure the dynamic nodes a YAML file describes, in one transaction.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { PondError } from "@pond/tinyfs";
import { type Command, stringOption } from "../command.js";
import { derivedManager, loadDerived } from "../derived.js";
import { onHost, UsageError } from "../errors.js";
import { printChange } from "../output/change-summary.js";
import { plural } from "../output/units.js";
import { absolute } from "../pond-paths.js";
import { changePond } from "../pond-session.js";
import { readYamlDocuments } from "../yaml-documents.js";

export const apply: Command = {
  name: "apply",
  summary: "create or update the dynamic nodes a YAML file describes",
  usage: "pond apply -f FILE.yaml",
  description: [
    "Each YAML document of FILE names a dynamic node: its kind, its path and its",
    "config (see pond mknod). All are checked first, then written in one",
    "transaction: a node is created, or given a new version if its kind or config",
    "differ. Applying the same file again changes nothing and makes no version.",
    "An unknown key, a value of the wrong type or a bad pattern is EINVAL naming",
    "the key, the document and its line; nothing is written then.",
  ],
  options: {
    file: {
      type: "string",
      short: "f",
      value: "FILE",
      description: "the YAML file (required)",
    },
  },
  operands: { min: 0, max: 0 },
  json: true,
  examples: [
    {
      command: "pond apply -f views.yaml",
      explanation:
        "with views.yaml holding documents such as 'kind: temporal-reduce', " +
        "'path: /views/weather' and 'config: {in_pattern: /sensors/*/weather, ...}', " +
        "separated by ---",
    },
  ],
  async run(context, input) {
    const file = stringOption(input, "file");
    if (file === undefined) throw new UsageError("missing -f FILE", "apply");
    const text = await onHost(file, () => readFile(resolve(context.io.cwd, file), "utf8"));
    const documents = await readYamlDocuments(text, file);
    if (documents.length === 0) throw new PondError("EINVAL", `${file} holds no document`);
    const derived = await loadDerived();
    const change = await changePond(context, async (root, fs) => {
      const manager = await derivedManager(fs);
      try {
        const nodes = documents.map((document) => {
          const reader = new derived.ConfigReader("apply", document.locate, "document");
          const spec = reader.object(document.value, [], ["kind", "path", "config"]);
          const kindName = reader.string(spec.kind, ["kind"]);
          const kind = reader.checked(["kind"], () => manager.dynamic.kind(kindName));
          const path = absolute(reader.string(spec.path, ["path"]));
          return { kind, path, config: spec.config, document };
        });
        const seen = new Set<string>();
        for (const node of nodes) {
          if (seen.has(node.path)) {
            const where = node.document.locate(["path"]);
            throw new PondError("EINVAL", `${node.path} is named by two documents (${where})`);
          }
          seen.add(node.path);
        }
        const written = [];
        for (const { kind, path, config, document } of nodes) {
          const locate = (keys: readonly (string | number)[]) =>
            document.locate(["config", ...keys]);
          written.push(await derived.writeDynamicNode(root, kind, path, config, locate));
        }
        return written;
      } finally {
        await manager.close();
      }
    });
    const changed = change.result.filter((w) => w.changed).map((w) => w.path);
    const summary =
      changed.length === 0
        ? `${plural(change.result.length, "dynamic node")} already as ${file} describes`
        : `applied ${plural(changed.length, "dynamic node")}: ${changed.join(", ")}`;
    await printChange(context, change, summary, { changed, nodes: change.result.length });
  },
};
