import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describeJsonValue } from '../describeJsonValue.js';
import type { HourlySeries } from './HourlySeries.js';
import { electricityMapsLayout, importElectricityMapsCsv, type IntensityKind } from './importElectricityMapsCsv.js';
import { importWattTimeMoerCsv, isWattTimeForecastIssueHeader, wattTimeColumns, type MoerUnit } from './importWattTimeMoerCsv.js';
import { LineViolations } from './LineViolations.js';
import { parseCsvRecords } from './parseCsvRecords.js';
import { listZipEntries, looksLikeZip, readZipEntryBytes, type ZipEntry } from './readZipArchive.js';
import type { TimeRange } from './timeRange.js';

/** A forecast file's format; `auto` tells it from the header. */
export type ForecastFileFormat = 'auto' | 'electricity-maps' | 'watttime';

export interface ReadForecastSeriesOptions extends TimeRange {
  /** Default `auto`. */
  format?: ForecastFileFormat;
  /** For a .zip: the entry to read. Unset: the first entry whose name ends in .csv. */
  entry?: string;
  /** Electricity Maps only: `direct` (default) or `lca`. */
  intensity?: IntensityKind;
  /** Electricity Maps only: the zone to import from a file with several. */
  zone?: string;
  /** WattTime only: the unit of the values (unset: what the header says, else g/kWh). */
  unit?: MoerUnit;
}

const formats: readonly ForecastFileFormat[] = ['auto', 'electricity-maps', 'watttime'];

/**
 * The format a CSV's header line shows, or undefined: `electricity-maps` for the Electricity Maps
 * export (`Datetime (UTC)`, ...) or wide (`datetime_utc`, zones...) layouts, `watttime` for a
 * WattTime MOER file (`time`/`timestamp`/`point_time` and one value column, or the
 * request_time x forecast_time layout, which the importer then refuses with a hint).
 */
export function detectForecastFormat(text: string): 'electricity-maps' | 'watttime' | undefined {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? '';
  const header = (parseCsvRecords(firstLine).records[0]?.cells ?? []).map((cell) => cell.trim());
  if (electricityMapsLayout(header) !== undefined) return 'electricity-maps';
  if (wattTimeColumns(header) !== undefined || isWattTimeForecastIssueHeader(header)) return 'watttime';
  return undefined;
}

/**
 * Reads an hourly carbon-intensity series from a file: an Electricity Maps CSV (see
 * importElectricityMapsCsv) or a WattTime MOER CSV (see importWattTimeMoerCsv, resampled to
 * hourly means), given as .csv or inside a .zip (recognised by its bytes, not its name; the
 * `entry` option, else the first .csv entry). `format` forces the importer; `auto` (default)
 * picks it from the header.
 *
 * @throws CoschedError INVALID_ARGUMENT: the file cannot be read, is not UTF-8 text, its format is
 *   unknown, an option does not fit the format, or the importer finds the content invalid (every
 *   bad line listed).
 */
export function readForecastSeriesFile(path: string, options: ReadForecastSeriesOptions = {}): HourlySeries {
  const what = `forecast file ${JSON.stringify(path)}`;
  const violations: LineViolations = new LineViolations();
  const format = options.format ?? 'auto';
  if (!formats.includes(format)) violations.add('options.format', `got ${describeJsonValue(format)}; expected one of ${formats.join(', ')}`);
  if (options.entry !== undefined && (typeof options.entry !== 'string' || options.entry === '')) {
    violations.add('options.entry', `got ${describeJsonValue(options.entry)}; expected the name of an entry of the zip, or nothing`);
  }
  violations.throwIfAny(`options for ${what}`);

  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    violations.add('path', `cannot read ${JSON.stringify(path)}: ${(error as Error).message}`);
    violations.fail(what);
  }

  let fileName = basename(path);
  if (looksLikeZip(bytes)) {
    let entries: ZipEntry[];
    try {
      entries = listZipEntries(bytes);
    } catch (error) {
      violations.add('path', `${JSON.stringify(path)} starts like a zip archive but is ${(error as Error).message}`);
      violations.fail(what);
    }
    const names = entries.map((entry) => JSON.stringify(entry.name)).join(', ') || 'none';
    let entry: ZipEntry | undefined;
    if (options.entry !== undefined) {
      entry = entries.find((e) => e.name === options.entry);
      if (!entry) violations.add('options.entry', `got ${JSON.stringify(options.entry)}; the zip has no such entry; its entries: ${names}`);
    } else {
      entry = entries.find((e) => /\.csv$/i.test(e.name) && !e.name.endsWith('/') && !e.name.startsWith('__MACOSX/'));
      if (!entry) violations.add('path', `the zip has no .csv entry; its entries: ${names}; pass entry to name one`);
    }
    if (!entry) violations.fail(what);
    try {
      bytes = readZipEntryBytes(bytes, entry);
    } catch (error) {
      violations.add('path', `cannot read entry ${JSON.stringify(entry.name)} of the zip: ${(error as Error).message}`);
      violations.fail(what);
    }
    fileName = `${fileName}:${entry.name}`;
  } else if (options.entry !== undefined) {
    violations.add('options.entry', `got ${JSON.stringify(options.entry)}, but ${JSON.stringify(path)} is not a zip archive; expected no entry for a plain CSV`);
    violations.fail(what);
  }

  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    violations.add('path', `${JSON.stringify(fileName)} is UTF-16 text; expected UTF-8 (save the CSV as UTF-8)`);
    violations.fail(what);
  }
  const text = bytes.toString('utf8');

  const chosen = format === 'auto' ? detectForecastFormat(text) : format;
  if (chosen === undefined) {
    const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? '';
    violations.add(
      'line 1 (header)',
      `${describeJsonValue(firstLine)} is not a header this reader knows; expected an Electricity Maps CSV (Datetime (UTC), ... or datetime_utc, <zones>) ` +
        `or a WattTime MOER CSV (time, <signal>); pass format to force one`,
    );
    violations.fail(what);
  }

  if (chosen === 'electricity-maps') {
    if (options.unit !== undefined) violations.add('options.unit', `got ${describeJsonValue(options.unit)}; unit applies only to WattTime files (Electricity Maps values are gCO2eq/kWh)`);
    violations.throwIfAny(what);
    return importElectricityMapsCsv(text, { intensity: options.intensity, zone: options.zone, from: options.from, to: options.to, fileName });
  }
  if (options.zone !== undefined) violations.add('options.zone', `got ${describeJsonValue(options.zone)}; zone applies only to Electricity Maps files (a WattTime file holds one signal)`);
  if (options.intensity !== undefined) violations.add('options.intensity', `got ${describeJsonValue(options.intensity)}; intensity applies only to Electricity Maps files`);
  violations.throwIfAny(what);
  return importWattTimeMoerCsv(text, { unit: options.unit, from: options.from, to: options.to, fileName });
}
