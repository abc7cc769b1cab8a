import { describeJsonValue } from '../describeJsonValue.js';
import { suggestName } from '../suggestName.js';
import { checkTimeSequence, type TimedRow } from './checkTimeSequence.js';
import { msPerHour, type HourlySeries } from './HourlySeries.js';
import { LineViolations } from './LineViolations.js';
import { describeCell, formatStamp, parseDecimalCell, parseTimestampCell, plural } from './parseCells.js';
import { parseCsvRecords } from './parseCsvRecords.js';
import { checkTimeRange, describeTimeRange, hasTimeRange, inTimeRange, type TimeRange } from './timeRange.js';

/** Which carbon intensity of an Electricity Maps export to import. */
export type IntensityKind = 'direct' | 'lca';

export interface ElectricityMapsOptions extends TimeRange {
  /**
   * `direct` (default; operational emissions) or `lca` (life-cycle). For the wide layout, whose
   * header does not say, it states what the file holds and is recorded in `source`.
   */
  intensity?: IntensityKind;
  /** The zone id to import, e.g. `ES`: required when the file holds several zones. */
  zone?: string;
  /** Names the file in `source`, notes and errors (e.g. `ES_2022_hourly.csv`). */
  fileName?: string;
}

/** Header names of the Electricity Maps hourly export (the 2021-2023 downloads). */
export const electricityMapsColumns = {
  time: 'Datetime (UTC)',
  zoneId: 'Zone Id',
  direct: 'Carbon Intensity gCO₂eq/kWh (direct)',
  lca: 'Carbon Intensity gCO₂eq/kWh (LCA)',
  renewable: 'Renewable Percentage',
  estimated: 'Data Estimated',
  estimationMethod: 'Data Estimation Method',
} as const;

/** First header cell of the wide layout (one column per zone), as in ci_2022_hourly.csv. */
export const wideTimeColumn = 'datetime_utc';

type ColumnKey = keyof typeof electricityMapsColumns;

/** Accepted spellings, compared after `normaliseHeader` (newer exports write "Zone id", "Life cycle", ...). */
const aliases: Record<ColumnKey, string[]> = {
  time: ['datetime (utc)'],
  zoneId: ['zone id'],
  direct: ['carbon intensity gco2eq/kwh (direct)'],
  lca: ['carbon intensity gco2eq/kwh (lca)', 'carbon intensity gco2eq/kwh (life cycle)'],
  renewable: ['renewable percentage', 'renewable energy percentage (re%)'],
  estimated: ['data estimated'],
  estimationMethod: ['data estimation method'],
};

/** Lower case, `₂` as `2`, runs of spaces as one, trimmed. */
export function normaliseHeader(name: string): string {
  return name.trim().toLowerCase().replace(/₂/g, '2').replace(/\s+/g, ' ');
}

/** Which Electricity Maps layout a header is, if any. */
export function electricityMapsLayout(header: readonly string[]): 'export' | 'wide' | undefined {
  const names = header.map(normaliseHeader);
  if (names.includes(aliases.time[0])) return 'export';
  if (names[0] === wideTimeColumn && names.length > 1) return 'wide';
  return undefined;
}

const expectedHeader =
  `expected an Electricity Maps export (columns ${electricityMapsColumns.time}, ${electricityMapsColumns.zoneId}, ` +
  `${electricityMapsColumns.direct}, ${electricityMapsColumns.lca}, optionally ${electricityMapsColumns.renewable}) ` +
  `or the wide layout (${wideTimeColumn}, then one column per zone id)`;

interface HourRow extends TimedRow {
  value: number;
  renewable: number | undefined;
  /** The `Data Estimated` flag, when the file has that column. */
  estimated: boolean | undefined;
  estimationMethod: string;
}

/**
 * Imports an Electricity Maps hourly CSV: either the export layout (`Datetime (UTC)`, `Country`,
 * `Zone Name`, `Zone Id`, `Carbon Intensity gCO₂eq/kWh (direct)`, `... (LCA)`, `Low Carbon
 * Percentage`, `Renewable Percentage`, `Data Source`, `Data Estimated`, `Data Estimation Method`;
 * one zone per file, or several selected by `zone`), or the wide layout (`datetime_utc`, then one
 * column of values per zone id, as in carbon-intensity-2022-123-zones/ci_2022_hourly.csv; `zone`
 * picks the column).
 *
 * Strict: the header must be recognised; every kept row needs a UTC timestamp on a whole hour
 * (an offset or `Z` is converted), an intensity that is a plain finite number >= 0 and, when the
 * file has it, a renewable percentage in 0..100; the kept hours must run one after another with
 * no gap, repeat or step back. Everything wrong is reported at once as INVALID_ARGUMENT, one
 * violation per bad line (`line N`, 1-based, header = line 1; first 50 listed, the rest counted),
 * each naming the value received and what was expected. A file mixing zones is refused unless
 * `zone` picks one. Handles a UTF-8 BOM, CRLF and quoted fields.
 *
 * `from`/`to` keep the hours starting in [from, to); rows outside are still read (a bad timestamp
 * anywhere is an error) but their values are not checked.
 */
export function importElectricityMapsCsv(text: string, options: ElectricityMapsOptions = {}): HourlySeries {
  const fileName = options.fileName ?? 'csv';
  const what = options.fileName === undefined ? 'Electricity Maps CSV' : `Electricity Maps CSV ${JSON.stringify(fileName)}`;
  const violations: LineViolations = new LineViolations();
  checkOptions(options, violations);
  violations.throwIfAny(`options for ${what}`);

  const { records, problems } = parseCsvRecords(text);
  if (records.length === 0) {
    for (const problem of problems) violations.add(`line ${problem.line}`, problem.description);
    if (problems.length > 0) violations.fail(what);
    violations.add('file', `the file is empty; ${expectedHeader}, then one row per hour`);
    violations.fail(what);
  }

  const header = records[0].cells.map((cell) => cell.trim());
  const names = header.map(normaliseHeader);
  const layout = electricityMapsLayout(header);
  if (layout === undefined) {
    violations.add(`line ${records[0].line} (header)`, `columns found: ${describeColumns(header)}; ${expectedHeader}`);
    violations.fail(what);
  }
  if (records.length === 1) {
    violations.add('file', `the file has only a header (${describeColumns(header)}) and no data rows; expected one row per hour`);
    violations.fail(what);
  }
  const indexOf = (key: ColumnKey) => names.findIndex((name) => aliases[key].includes(name));

  // Which columns hold time, values and zone.
  let kind: IntensityKind | undefined;
  let timeIndex: number;
  let valueIndex: number;
  let zoneIndex = -1;
  let zone = options.zone;
  let renewableIndex = -1;
  let estimatedIndex = -1;
  let estimationMethodIndex = -1;
  const notes: string[] = [];
  if (layout === 'export') {
    kind = options.intensity ?? 'direct';
    timeIndex = indexOf('time');
    valueIndex = indexOf(kind);
    zoneIndex = indexOf('zoneId');
    renewableIndex = indexOf('renewable');
    estimatedIndex = indexOf('estimated');
    estimationMethodIndex = indexOf('estimationMethod');
    if (valueIndex < 0) {
      const other = indexOf(kind === 'direct' ? 'lca' : 'direct');
      const hint = other >= 0 ? `; the file has ${JSON.stringify(header[other])}: pass intensity '${kind === 'direct' ? 'lca' : 'direct'}' to use it` : '';
      violations.add(electricityMapsColumns[kind], `no such column (intensity '${kind}'); columns found: ${describeColumns(header)}${hint}`);
    }
    if (zone !== undefined && zoneIndex < 0) {
      violations.add('options.zone', `got ${describeJsonValue(zone)}, but the file has no ${electricityMapsColumns.zoneId} column to select by; columns found: ${describeColumns(header)}`);
    }
    violations.throwIfAny(what);
    notes.push(`Electricity Maps export; carbon intensity from column ${JSON.stringify(header[valueIndex])} (${kind})`);
  } else {
    kind = options.intensity;
    timeIndex = 0;
    const zones = header.slice(1);
    if (zone === undefined && zones.length === 1) zone = zones[0];
    if (zone === undefined) {
      violations.add('options.zone', `got nothing; the file is wide (${plural(zones.length, 'zone')} as columns: ${describeList(zones, 20)}): pass zone to pick one`);
      violations.fail(what);
    }
    valueIndex = header.indexOf(zone, 1);
    if (valueIndex < 0) {
      const hint = suggestName(zone, zones);
      violations.add('options.zone', `got ${describeJsonValue(zone)}; not a column of the file${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; its zones: ${describeList(zones, 20)}`);
      violations.fail(what);
    }
    notes.push(
      `wide layout (${wideTimeColumn} and ${plural(zones.length, 'zone column')}); carbon intensity from column ${JSON.stringify(zone)}; ` +
        (kind === undefined ? 'the header does not say direct or life-cycle (LCA), so the kind is not stated' : `taken as ${kind} as the caller says (the header does not say)`),
    );
  }
  const timeColumn = header[timeIndex];
  const valueColumn = header[valueIndex];

  // Read the rows.
  // CSV syntax problems (reported once the header is known to be right).
  for (const problem of problems) violations.add(`line ${problem.line}`, problem.description);
  const rows: HourRow[] = [];
  const unreadable = new Set<number>(); // lines whose hour could not be read
  const zonesSeen = new Map<string, { rows: number; firstLine: number }>();
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let rowsOfZone = 0;
  for (const { line, cells } of records.slice(1)) {
    if (cells.length !== header.length) {
      violations.add(`line ${line}`, `${plural(cells.length, 'field')}, the header has ${header.length}; expected ${header.length} comma-separated fields (a field holding a comma must be in double quotes)`);
      unreadable.add(line);
      continue;
    }
    if (zoneIndex >= 0) {
      const rowZone = cells[zoneIndex].trim();
      const seen = zonesSeen.get(rowZone);
      if (seen) seen.rows++;
      else zonesSeen.set(rowZone, { rows: 1, firstLine: line });
      if (zone !== undefined && rowZone !== zone) continue;
    }
    rowsOfZone++;
    const stamp = cells[timeIndex].trim();
    const ms = parseTimestampCell(stamp);
    if (ms === undefined) {
      violations.add(`line ${line}`, `${timeColumn} ${describeCell(stamp)} is not a timestamp; expected YYYY-MM-DD HH:MM:SS in UTC (or ISO 8601 with Z or an offset)`);
      unreadable.add(line);
      continue;
    }
    if (ms % msPerHour !== 0) {
      violations.add(`line ${line}`, `${timeColumn} ${stamp} is not on a whole hour; expected the start of a UTC hour such as ${formatStamp(Math.floor(ms / msPerHour) * msPerHour)}`);
      unreadable.add(line);
      continue;
    }
    firstMs = Math.min(firstMs, ms);
    lastMs = Math.max(lastMs, ms);
    if (!inTimeRange(ms, options)) continue;
    const value = readNumber(cells[valueIndex], line, valueColumn, 'a finite number >= 0 (gCO2eq/kWh)', (v) => v >= 0, violations);
    const renewable =
      renewableIndex >= 0 ? readNumber(cells[renewableIndex], line, header[renewableIndex], 'a percentage in 0..100', (v) => v >= 0 && v <= 100, violations) : undefined;
    // A row with a bad value still takes part in the hour sequence (its violation is already added).
    rows.push({
      line,
      ms,
      stamp,
      value: value ?? NaN,
      renewable,
      estimated: estimatedIndex >= 0 ? cells[estimatedIndex].trim().toLowerCase() === 'true' : undefined,
      estimationMethod: estimationMethodIndex >= 0 ? cells[estimationMethodIndex].trim() : '',
    });
  }

  // Zones.
  if (zoneIndex >= 0) {
    if (zone === undefined && zonesSeen.size > 1) {
      const listed = [...zonesSeen].map(([id, seen]) => `${JSON.stringify(id)} (${plural(seen.rows, 'row')} from line ${seen.firstLine})`);
      violations.add(
        electricityMapsColumns.zoneId,
        `the file mixes ${plural(zonesSeen.size, 'zone')}: ${describeList(listed, 10)}; expected one zone per file, or pass zone to pick one`,
      );
      violations.fail(what); // the per-line sequence errors of a mixed file would only be noise
    }
    if (zone !== undefined && !zonesSeen.has(zone)) {
      const ids = [...zonesSeen.keys()];
      const hint = suggestName(zone, ids);
      violations.add('options.zone', `got ${describeJsonValue(zone)}; the file has no row of that zone${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; its zones: ${describeList(ids.map((id) => JSON.stringify(id)), 20)}`);
      violations.fail(what);
    }
    if (zone === undefined && zonesSeen.size === 1) zone = [...zonesSeen.keys()][0];
    if (zonesSeen.size > 1) {
      notes.push(`kept zone ${zone} (${plural(rowsOfZone, 'row')}); skipped ${plural(records.length - 1 - rowsOfZone, 'row')} of ${plural(zonesSeen.size - 1, 'other zone')}`);
    }
  }

  const inOrder = checkTimeSequence(rows, timeColumn, true, violations, unreadable);
  violations.throwIfAny(what);
  if (inOrder.length === 0) {
    const covered = Number.isFinite(firstMs) ? `the file covers ${formatStamp(firstMs)} to ${formatStamp(lastMs)} UTC` : 'the file has no readable hour';
    violations.add(hasTimeRange(options) ? 'options.from' : 'file', `no hour lies in ${describeTimeRange(options)}; ${covered}`);
    violations.fail(what);
  }

  const startMs = inOrder[0].ms;
  const endMs = inOrder[inOrder.length - 1].ms;
  notes.push(`${plural(inOrder.length, 'hour')} from ${formatStamp(startMs)} to ${formatStamp(endMs)} UTC`);
  if (hasTimeRange(options)) {
    notes.push(`cut to ${describeTimeRange(options)}: the file covers ${formatStamp(firstMs)} to ${formatStamp(lastMs)} UTC`);
    if (options.from !== undefined && options.from < startMs) notes.push(`the series starts at ${formatStamp(startMs)}, after from (the file has no earlier hour)`);
    if (options.to !== undefined && options.to > endMs + msPerHour) notes.push(`the series ends with the hour of ${formatStamp(endMs)}, before to (the file has no later hour)`);
  }
  const estimates = countEstimates(inOrder);
  if (estimates) notes.push(estimates);

  const kindText = kind ?? 'kind not stated';
  const zoneText = layout === 'wide' || zonesSeen.size > 1 ? ` ${zone}` : '';
  const series: HourlySeries = {
    startMs,
    carbonIntensityGPerKwh: inOrder.map((row) => row.value),
    source: `electricity-maps:${fileName}${zoneText} (${kindText})`,
    notes,
  };
  if (renewableIndex >= 0) {
    series.renewablePercent = inOrder.map((row) => row.renewable as number);
    notes.push(`renewable share from column ${JSON.stringify(header[renewableIndex])}`);
  }
  if (zone !== undefined && zone !== '') series.zone = zone;
  return series;
}

function checkOptions(options: ElectricityMapsOptions, violations: LineViolations): void {
  if (options.intensity !== undefined && options.intensity !== 'direct' && options.intensity !== 'lca') {
    violations.add('options.intensity', `got ${describeJsonValue(options.intensity)}; expected 'direct', 'lca' or nothing (direct)`);
  }
  if (options.zone !== undefined && (typeof options.zone !== 'string' || options.zone.trim() === '')) {
    violations.add('options.zone', `got ${describeJsonValue(options.zone)}; expected a zone id such as "ES", or nothing`);
  }
  checkTimeRange(options, violations);
}

/** The cell as a number accepted by `ok`, or undefined after adding a violation on the line. */
function readNumber(cell: string, line: number, column: string, expected: string, ok: (value: number) => boolean, violations: LineViolations): number | undefined {
  const value = parseDecimalCell(cell);
  if (value === undefined) {
    violations.add(`line ${line}`, `${column} ${describeCell(cell)} is not a number; expected ${expected}`);
    return undefined;
  }
  if (!ok(value)) {
    violations.add(`line ${line}`, `${column} ${cell.trim()} is out of range; expected ${expected}`);
    return undefined;
  }
  return value;
}

/** `596 of 8,760 hours are marked as estimated by Electricity Maps (ESTIMATED_TIME_SLICER_AVERAGE: 596)`, or undefined. */
function countEstimates(rows: readonly HourRow[]): string | undefined {
  let count = 0;
  const methods = new Map<string, number>();
  for (const row of rows) {
    if (row.estimated === undefined) return undefined;
    if (!row.estimated) continue;
    count++;
    const method = row.estimationMethod;
    if (method !== '') methods.set(method, (methods.get(method) ?? 0) + 1);
  }
  if (count === 0) return undefined;
  const byMethod = methods.size === 0 ? '' : ` (${[...methods].map(([method, n]) => `${method}: ${n}`).join(', ')})`;
  return `${count.toLocaleString('en-US')} of ${plural(rows.length, 'hour')} are marked as estimated by Electricity Maps${byMethod}`;
}

function describeColumns(header: readonly string[]): string {
  return header.length === 1 && header[0] === '' ? 'none' : describeList(header.map((name) => JSON.stringify(name)), 20);
}

function describeList(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ... (${items.length - max} more)`;
}
