/** One CSV record: its cells and the file line (1-based) it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** A problem that stops the CSV from being split into records, with the line it is on. */
export interface CsvSyntaxProblem {
  line: number;
  description: string;
}

/** The records of a CSV text (the header is records[0]) and any syntax problems. */
export interface CsvRecords {
  records: CsvRecord[];
  problems: CsvSyntaxProblem[];
}

const comma = 44;
const quote = 34;
const lf = 10;
const cr = 13;

/**
 * Splits CSV text (RFC 4180) into records: a UTF-8 byte-order mark is dropped; records end with
 * LF or CRLF (a lone CR too); fields are separated by commas; a field in double quotes may hold
 * commas, line breaks and doubled quotes (`""` is one `"`). Blank (whitespace-only) lines are
 * skipped. Cells are returned as written, untrimmed, quotes removed.
 *
 * Syntax problems are collected, not thrown: text after a closing quote (`"a"b`) is kept as part
 * of the cell and reported; a quote that is never closed ends the records and is reported on the
 * line where it opened.
 */
export function parseCsvRecords(text: string): CsvRecords {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const problems: CsvSyntaxProblem[] = [];
  const n = body.length;
  let i = 0;
  let line = 1;

  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let cell = '';
      if (body.charCodeAt(i) === quote) {
        let j = i + 1;
        for (;;) {
          const close = body.indexOf('"', j);
          if (close < 0) {
            problems.push({ line: startLine, description: `a quoted field opened on this line is never closed; expected a closing '"' (text after it was not read)` });
            line += countLineBreaks(body, j, n);
            return { records, problems };
          }
          cell += body.slice(j, close);
          line += countLineBreaks(body, j, close);
          if (body.charCodeAt(close + 1) === quote) {
            cell += '"';
            j = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        // After the closing quote only a separator or the end of the record may follow.
        let k = i;
        while (k < n && !isSeparator(body.charCodeAt(k))) k++;
        if (k > i) {
          problems.push({ line, description: `text ${JSON.stringify(body.slice(i, k))} follows a closing quote; expected a comma or the end of the line` });
          cell += body.slice(i, k);
          i = k;
        }
      } else {
        let k = i;
        while (k < n && !isSeparator(body.charCodeAt(k))) k++;
        cell = body.slice(i, k);
        i = k;
      }
      cells.push(cell);
      const c = i < n ? body.charCodeAt(i) : -1;
      if (c === comma) {
        i++;
      } else {
        endOfRecord = true;
        if (c === cr) i += body.charCodeAt(i + 1) === lf ? 2 : 1;
        else if (c === lf) i++;
        if (c !== -1) line++;
      }
    }
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ line: startLine, cells });
  }
  return { records, problems };
}

function isSeparator(c: number): boolean {
  return c === comma || c === lf || c === cr;
}

/** Line breaks (LF, CRLF or lone CR) in body[from, to). */
function countLineBreaks(body: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = body.charCodeAt(k);
    if (c === lf || (c === cr && body.charCodeAt(k + 1) !== lf)) count++;
  }
  return count;
}
