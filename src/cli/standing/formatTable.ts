/**
 * A plain-text table: the header row, then one row per entry, columns separated by two spaces
 * and padded to their widest cell; columns named in `rightAligned` (by index) are aligned right
 * (numbers). Trailing spaces are trimmed. Every line ends with a newline.
 */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: readonly number[] = []): string {
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map((row) => `${line(row)}\n`).join('');
}

/** `text` cut to `maxChars` characters, ending in `…` when cut; newlines become spaces. */
export function truncateText(text: string, maxChars: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= maxChars ? flat : `${flat.slice(0, Math.max(0, maxChars - 1))}…`;
}
