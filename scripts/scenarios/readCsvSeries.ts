/** One value of a time series: the instant (epoch ms) and the number. */
export interface SeriesPoint {
  ms: number;
  value: number;
}

/**
 * Reads a plain CSV (comma-separated, no quoted fields, a header row) into points of one value
 * column keyed by one time column, in file order. `toMs` turns a time cell into epoch ms.
 *
 * @throws Error naming `source`, the row (1-based, header = row 1) and the column when a column
 *   is missing, a row has the wrong number of cells, a time cannot be read, or a value is not a
 *   finite number.
 */
export function readCsvSeries(text: string, source: string, timeColumn: string, valueColumn: string, toMs: (cell: string) => number | undefined): SeriesPoint[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length < 2) throw new Error(`${source}: no data rows`);
  const header = lines[0].replace(/^\uFEFF/, '').split(',').map((name) => name.trim());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${source}: no column "${name}"; columns: ${header.join(', ')}`);
    return index;
  };
  const timeIndex = column(timeColumn);
  const valueIndex = column(valueColumn);
  const points: SeriesPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== header.length) throw new Error(`${source} row ${i + 1}: ${cells.length} cells, the header has ${header.length}`);
    const ms = toMs(cells[timeIndex]);
    if (ms === undefined) throw new Error(`${source} row ${i + 1}: cannot read the time "${cells[timeIndex]}" in column ${timeColumn}`);
    const cell = cells[valueIndex].trim();
    const value = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(value)) throw new Error(`${source} row ${i + 1}: "${cell}" in column ${valueColumn} is not a finite number`);
    points.push({ ms, value });
  }
  return points;
}

/** The points as a map from instant to value; a repeated instant is an error. */
export function seriesByInstant(points: readonly SeriesPoint[], source: string): Map<number, number> {
  const byMs = new Map<number, number>();
  for (const { ms, value } of points) {
    if (byMs.has(ms)) throw new Error(`${source}: ${new Date(ms).toISOString()} appears twice`);
    byMs.set(ms, value);
  }
  return byMs;
}
