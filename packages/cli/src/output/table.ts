// Aligned text tables for human output.

export interface Column {
  header: string;
  /** Numbers read best right-aligned. */
  align?: "left" | "right";
}

/**
 * Lines of a table: a header row, then one row per item, columns separated by
 * two spaces and padded to their widest cell. The last column is not padded,
 * so long names do not leave trailing blanks. Lines are made as they are taken:
 * a listing of long paths holds each line only while it is written.
 */
export function* renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: { header?: boolean; indent?: string } = {},
): Generator<string, void, undefined> {
  const { header = true, indent = "" } = options;
  const all = header ? [columns.map((c) => c.header), ...rows] : rows;
  const padded = (i: number) => i < columns.length - 1 || columns[i]?.align === "right";
  const widths = columns.map((_, i) =>
    padded(i) ? Math.max(0, ...all.map((row) => width(row[i] ?? ""))) : 0,
  );
  for (const row of all) {
    const cells = columns.map((column, i) => {
      const cell = row[i] ?? "";
      if (!padded(i)) return cell;
      const pad = " ".repeat((widths[i] as number) - width(cell));
      return column.align === "right" ? pad + cell : cell + pad;
    });
    yield indent + cells.join("  ").trimEnd();
  }
}

// Code points, not UTF-16 units: close enough for names in a terminal.
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
