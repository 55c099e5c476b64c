// cp's destination rules, shared by copy (host → pond) and export (pond → host).

/** What the destination names before anything is copied. */
export type DestinationKind = "directory" | "file" | "missing";

export interface CopySource {
  /** The source's last path component; "", "." or ".." mean "the contents of a directory". */
  name: string;
  isDirectory: boolean;
}

export type DestinationError = (code: "ENOENT" | "ENOTDIR" | "EISDIR", detail: string) => Error;

/**
 * Where each source goes, as cp decides: into an existing directory under its
 * own name; onto a missing or file destination when it is the only source
 * (a directory onto a file is ENOTDIR); several sources need a directory.
 * A directory's contents (`dir/.`, the pond root) merge into the destination.
 */
export function copyTargets(
  sources: readonly CopySource[],
  destination: string,
  kind: DestinationKind,
  join: (dir: string, name: string) => string,
  fail: DestinationError,
): string[] {
  const demandsDirectory = destination.endsWith("/") && destination.length > 1;
  if (kind === "directory") {
    return sources.map((s) => (isContents(s.name) ? destination : join(destination, s.name)));
  }
  if (sources.length > 1) {
    throw kind === "missing"
      ? fail("ENOENT", "no such directory (several sources need an existing directory)")
      : fail("ENOTDIR", "not a directory (several sources need a directory)");
  }
  const [source] = sources as [CopySource];
  if (kind === "missing" && demandsDirectory) throw fail("ENOENT", "no such directory");
  if (kind === "file") {
    if (demandsDirectory) throw fail("ENOTDIR", "not a directory");
    if (source.isDirectory) throw fail("ENOTDIR", "cannot copy a directory onto a file");
  }
  return [destination];
}

function isContents(name: string): boolean {
  return name === "" || name === "." || name === "..";
}
