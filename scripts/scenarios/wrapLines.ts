/**
 * Wraps each line of `lines` at `width` characters on spaces; continuation lines get the line's
 * own leading spaces plus `hangingIndent` more. Lines without a space to break at stay whole.
 */
export function wrapLines(lines: readonly string[], width = 100, hangingIndent = 2): string[] {
  return lines.flatMap((line) => {
    const indent = ' '.repeat(line.length - line.trimStart().length);
    const out: string[] = [];
    let rest = line;
    let prefix = '';
    while ((prefix + rest).length > width) {
      const room = width - prefix.length;
      const cut = rest.lastIndexOf(' ', room);
      if (cut <= indent.length) break;
      out.push(prefix + rest.slice(0, cut));
      rest = rest.slice(cut + 1);
      prefix = indent + ' '.repeat(hangingIndent);
    }
    out.push(prefix + rest);
    return out;
  });
}
