/** A column of a text table: its header and how its cells line up. */
export interface TextColumn {
  header: string;
  align: 'left' | 'right';
}

/**
 * Lines of an aligned text table: the header, a rule of dashes, then the rows; columns two
 * spaces apart, each as wide as its widest cell, no trailing spaces. Deterministic.
 */
export function formatTextTable(columns: readonly TextColumn[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = columns.map((column, c) => Math.max(column.header.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, c) => (column.align === 'left' ? (cells[c] ?? '').padEnd(widths[c]) : (cells[c] ?? '').padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}
