import { describeJsonValue } from '../describeJsonValue.js';
import { checkTimeSequence, type TimedRow } from './checkTimeSequence.js';
import { msPerHour, type HourlySeries } from './HourlySeries.js';
import { LineViolations } from './LineViolations.js';
import { describeCell, formatStamp, parseDecimalCell, parseTimestampCell, plural } from './parseCells.js';
import { parseCsvRecords } from './parseCsvRecords.js';
import { checkTimeRange, describeTimeRange, hasTimeRange, inTimeRange, type TimeRange } from './timeRange.js';

/** The unit of the MOER values in a WattTime file. */
export type MoerUnit = 'g_per_kwh' | 'lbs_per_mwh';

/** 1 lb/MWh = 453.59237 g / 1,000 kWh = 0.45359237 g/kWh. */
export const gPerKwhPerLbPerMwh = 0.45359237;

export interface WattTimeMoerOptions extends TimeRange {
  /**
   * The unit of the file's values. Unset: what the value column's name says (`lbs/MWh`,
   * `g/kWh`, ...), else g/kWh. The choice is recorded in `notes`.
   */
  unit?: MoerUnit;
  /** Names the file in `source`, notes and errors. */
  fileName?: string;
}

const timeColumnNames = ['time', 'timestamp', 'point_time', 'datetime'];
const genericValueNames = ['value', 'moer'];

/** The time and value columns of a WattTime MOER header, or undefined when it is not one. */
export function wattTimeColumns(header: readonly string[]): { timeIndex: number; valueIndex: number } | undefined {
  const names = header.map((name) => name.trim().toLowerCase());
  const timeIndex = names.findIndex((name) => timeColumnNames.includes(name));
  if (timeIndex < 0) return undefined;
  const others = names.map((name, i) => ({ name, i })).filter(({ i }) => i !== timeIndex);
  const valueIndex = others.length === 1 ? others[0].i : (others.find(({ name }) => genericValueNames.includes(name) || name.startsWith('moer'))?.i ?? -1);
  return valueIndex < 0 ? undefined : { timeIndex, valueIndex };
}

/** Whether a header is WattTime's issued-forecast layout (request_time x forecast_time). */
export function isWattTimeForecastIssueHeader(header: readonly string[]): boolean {
  const names = header.map((name) => name.trim().toLowerCase());
  return names.includes('request_time') || names.includes('forecast_time');
}

/** The unit a column name states, if any: `MOER (lbs/MWh)`, `moer_lbs_per_mwh`, `value g/kWh`, ... */
export function unitInColumnName(name: string): MoerUnit | undefined {
  const text = name.toLowerCase();
  if (/lbs?\s*(\/|_per_|\s+per\s+)\s*mwh/.test(text)) return 'lbs_per_mwh';
  if (/g(co2(eq)?)?\s*(\/|_per_|\s+per\s+)\s*kwh/.test(text)) return 'g_per_kwh';
  return undefined;
}

const unitText: Record<MoerUnit, string> = { g_per_kwh: 'g/kWh', lbs_per_mwh: 'lbs/MWh' };

const expectedHeader =
  `expected a WattTime MOER file: a time column (${timeColumnNames.join(', ')}) and one value column ` +
  `(e.g. "time,Caiso_North" as in watttime2023_caiso-north_actual.csv, or a column named value or moer)`;

interface Sample extends TimedRow {
  value: number;
}

/**
 * Imports a WattTime marginal-emissions (MOER) CSV of sub-hourly samples (the realised signal,
 * e.g. `time,Caiso_North` with `2023-06-08 00:05:00,432.27`, 5-minute steps) and resamples it to
 * hourly means: hour [T, T+1h) is the mean of the samples stamped in it (a sample holds for the
 * step after its stamp). Stamps without an offset are UTC; `Z` and offsets are converted.
 *
 * Strict: the header must be recognised (the issued-forecast layout, request_time x forecast_time,
 * is refused with a hint); every sample needs a readable time and a plain finite value >= 0; the
 * times must strictly increase; every hour from the first to the last must have a sample. All
 * problems are reported at once as INVALID_ARGUMENT, one per bad line (`line N`, header = line 1;
 * first 50 listed). An hour with fewer samples than the step implies (12 for 5 minutes) is
 * averaged over the samples it has and counted in `notes`.
 *
 * Units: values are multiplied by 0.45359237 when they are lbs/MWh (by `unit`, or the value
 * column's name when `unit` is unset); otherwise taken as g/kWh. `from`/`to` keep the hours
 * starting in [from, to).
 */
export function importWattTimeMoerCsv(text: string, options: WattTimeMoerOptions = {}): HourlySeries {
  const fileName = options.fileName ?? 'csv';
  const what = options.fileName === undefined ? 'WattTime MOER CSV' : `WattTime MOER CSV ${JSON.stringify(fileName)}`;
  const violations: LineViolations = new LineViolations();
  if (options.unit !== undefined && options.unit !== 'g_per_kwh' && options.unit !== 'lbs_per_mwh') {
    violations.add('options.unit', `got ${describeJsonValue(options.unit)}; expected 'g_per_kwh', 'lbs_per_mwh' or nothing (the unit the header states, else g/kWh)`);
  }
  checkTimeRange(options, violations);
  violations.throwIfAny(`options for ${what}`);

  const { records, problems } = parseCsvRecords(text);
  if (records.length === 0) {
    for (const problem of problems) violations.add(`line ${problem.line}`, problem.description);
    if (problems.length > 0) violations.fail(what);
    violations.add('file', `the file is empty; ${expectedHeader}, then one row per sample`);
    violations.fail(what);
  }

  const header = records[0].cells.map((cell) => cell.trim());
  const headerField = `line ${records[0].line} (header)`;
  if (isWattTimeForecastIssueHeader(header)) {
    violations.add(
      headerField,
      `columns found: ${header.map((name) => JSON.stringify(name)).join(', ')}: this is WattTime's issued-forecast layout (one forecast per request_time), ` +
        `which is not imported; ${expectedHeader} (for vessim's zip, the *_actual.csv entry)`,
    );
    violations.fail(what);
  }
  const columns = wattTimeColumns(header);
  if (columns === undefined) {
    violations.add(headerField, `columns found: ${header.length === 1 && header[0] === '' ? 'none' : header.map((name) => JSON.stringify(name)).join(', ')}; ${expectedHeader}`);
    violations.fail(what);
  }
  if (records.length === 1) {
    violations.add('file', `the file has only a header (${header.map((name) => JSON.stringify(name)).join(', ')}) and no samples; expected one row per sample`);
    violations.fail(what);
  }
  const timeColumn = header[columns.timeIndex];
  const valueColumn = header[columns.valueIndex];

  // Unit.
  const headerUnit = unitInColumnName(valueColumn);
  const unit: MoerUnit = options.unit ?? headerUnit ?? 'g_per_kwh';
  const factor = unit === 'lbs_per_mwh' ? gPerKwhPerLbPerMwh : 1;
  const conversion = unit === 'lbs_per_mwh' ? `converted to g/kWh (x ${gPerKwhPerLbPerMwh})` : 'used as they are';
  let unitNote: string;
  if (options.unit === undefined) {
    unitNote = headerUnit
      ? `unit ${unitText[unit]}, as column ${JSON.stringify(valueColumn)} says; values ${conversion}`
      : `unit g/kWh: column ${JSON.stringify(valueColumn)} states no unit, so the values are taken as g/kWh (pass unit 'lbs_per_mwh' to convert lbs/MWh x ${gPerKwhPerLbPerMwh})`;
  } else {
    unitNote = `unit ${unitText[unit]}, as the caller says; values ${conversion}`;
    if (headerUnit !== undefined && headerUnit !== unit) unitNote += `; NOTE column ${JSON.stringify(valueColumn)} says ${unitText[headerUnit]}`;
  }

  // Samples.
  // CSV syntax problems (reported once the header is known to be right).
  for (const problem of problems) violations.add(`line ${problem.line}`, problem.description);
  const samples: Sample[] = [];
  const unreadable = new Set<number>(); // lines whose time could not be read
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (const { line, cells } of records.slice(1)) {
    if (cells.length !== header.length) {
      violations.add(`line ${line}`, `${plural(cells.length, 'field')}, the header has ${header.length}; expected ${header.length} comma-separated fields`);
      unreadable.add(line);
      continue;
    }
    const stamp = cells[columns.timeIndex].trim();
    const ms = parseTimestampCell(stamp);
    if (ms === undefined) {
      violations.add(`line ${line}`, `${timeColumn} ${describeCell(stamp)} is not a timestamp; expected YYYY-MM-DD HH:MM:SS in UTC (or ISO 8601 with Z or an offset)`);
      unreadable.add(line);
      continue;
    }
    firstMs = Math.min(firstMs, ms);
    lastMs = Math.max(lastMs, ms);
    if (!inTimeRange(hourStart(ms), options)) continue;
    const cell = cells[columns.valueIndex];
    const value = parseDecimalCell(cell);
    if (value === undefined) {
      violations.add(`line ${line}`, `${valueColumn} ${describeCell(cell)} is not a number; expected a finite number >= 0 (${unitText[unit]})`);
    } else if (value < 0) {
      violations.add(`line ${line}`, `${valueColumn} ${cell.trim()} is negative; expected a finite number >= 0 (${unitText[unit]})`);
    }
    // A sample with a bad value still takes part in the time sequence (its violation is already added).
    samples.push({ line, ms, stamp, value: value ?? NaN });
  }
  const inOrder = checkTimeSequence(samples, timeColumn, false, violations, unreadable);
  violations.throwIfAny(what);
  if (inOrder.length === 0) {
    const covered = Number.isFinite(firstMs) ? `the file covers ${formatStamp(firstMs)} to ${formatStamp(lastMs)} UTC` : 'the file has no readable time';
    violations.add(hasTimeRange(options) ? 'options.from' : 'file', `no hour lies in ${describeTimeRange(options)}; ${covered}`);
    violations.fail(what);
  }

  // The step between samples: the most common gap between neighbours.
  const gaps = new Map<number, number>();
  for (let i = 1; i < inOrder.length; i++) {
    const gap = inOrder[i].ms - inOrder[i - 1].ms;
    gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  const stepMs = [...gaps].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? msPerHour;
  const expectedPerHour = Math.max(1, Math.round(msPerHour / stepMs));

  // Hourly means.
  const startMs = hourStart(inOrder[0].ms);
  const hours = (hourStart(inOrder[inOrder.length - 1].ms) - startMs) / msPerHour + 1;
  const sums = new Array<number>(hours).fill(0);
  const counts = new Array<number>(hours).fill(0);
  for (const sample of inOrder) {
    const h = (hourStart(sample.ms) - startMs) / msPerHour;
    sums[h] += sample.value;
    counts[h]++;
  }
  for (let i = 1; i < inOrder.length; i++) {
    const before = hourStart(inOrder[i - 1].ms);
    const after = hourStart(inOrder[i].ms);
    const empty = (after - before) / msPerHour - 1;
    if (empty <= 0) continue;
    const which = empty === 1 ? formatStamp(before + msPerHour) : `${formatStamp(before + msPerHour)} to ${formatStamp(after - msPerHour)}`;
    violations.add(
      `line ${inOrder[i].line}`,
      `${timeColumn} ${inOrder[i].stamp} follows ${inOrder[i - 1].stamp} (line ${inOrder[i - 1].line}): ${plural(empty, 'hour')} with no sample (${which}); expected samples in every hour`,
    );
  }
  violations.throwIfAny(what);

  const short: string[] = [];
  for (let h = 0; h < hours; h++) if (counts[h] < expectedPerHour) short.push(`${formatStamp(startMs + h * msPerHour)} (${counts[h]})`);
  const notes = [
    `WattTime MOER from column ${JSON.stringify(valueColumn)}; ${unitNote}`,
    `${plural(inOrder.length, 'sample')} every ${describeStep(stepMs)} resampled to ${plural(hours, 'hourly mean')} from ${formatStamp(startMs)} to ${formatStamp(startMs + (hours - 1) * msPerHour)} UTC (each hour: the mean of the samples stamped in it)`,
  ];
  if (short.length > 0) {
    notes.push(
      `${plural(short.length, 'hour')} had fewer than ${expectedPerHour} samples and ${short.length === 1 ? 'is' : 'are'} averaged over what ${short.length === 1 ? 'it has' : 'they have'}: ` +
        `${short.slice(0, 10).join(', ')}${short.length > 10 ? `, ... (${short.length - 10} more)` : ''}`,
    );
  }
  if (hasTimeRange(options)) notes.push(`cut to ${describeTimeRange(options)}: the file covers ${formatStamp(firstMs)} to ${formatStamp(lastMs)} UTC`);

  const series: HourlySeries = {
    startMs,
    carbonIntensityGPerKwh: sums.map((sum, h) => (sum / counts[h]) * factor),
    source: `watttime:${fileName} (${unit === 'lbs_per_mwh' ? 'lbs/MWh converted to g/kWh' : 'g/kWh'})`,
    notes,
  };
  if (!genericValueNames.includes(valueColumn.toLowerCase()) && unitInColumnName(valueColumn) === undefined) series.zone = valueColumn;
  return series;
}

function hourStart(ms: number): number {
  return Math.floor(ms / msPerHour) * msPerHour;
}

function describeStep(ms: number): string {
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  return plural(ms / 1000, 'second');
}
