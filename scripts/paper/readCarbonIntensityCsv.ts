import { readFileSync } from 'node:fs';
import { suggestName } from '../../src/data/suggestName.js';

/** Attribution that must accompany any output or excerpt derived from the carbon-intensity data. */
export const carbonIntensityAttribution = 'Carbon intensity data: Electricity Maps (electricitymaps.com), ODbL';

/** Hours in 2022 (not a leap year). */
export const hoursIn2022 = 8_760;

/** 2022-01-01T00:00Z, epoch milliseconds: the start of hour 0 of the series. */
export const year2022StartMs = Date.UTC(2022, 0, 1);

/** Hourly carbon intensity of named zones, hour i covering [startMs + i·1h, startMs + (i+1)·1h). */
export interface CarbonIntensitySeries {
  /** Start of the first row's hour, epoch milliseconds UTC (always 2022-01-01T00:00Z). */
  startMs: number;
  /** Number of hours (always 8,760). */
  hours: number;
  /** gCO2eq/kWh per hour, keyed by Electricity Maps zone id, each with `hours` finite values >= 0. */
  byZone: Record<string, number[]>;
}

const hourMs = 3_600_000;

/**
 * Reads the 123-zone hourly file of Sukprasert et al. (EuroSys 2024), i.e.
 * `carbon-intensity-2022-123-zones/ci_2022_hourly.csv`, and returns the series of `zones`.
 *
 * Contract: the header's first column is `datetime_utc`; there are exactly 8,760 data rows whose
 * `datetime_utc` ("YYYY-MM-DD HH:MM:SS" or ISO, start of the hour, UTC, no offset) runs hour by
 * hour from 2022-01-01 00:00; every requested zone is a column, and each of its cells is a finite
 * number >= 0. Anything else throws an Error naming the file, row (1-based, header = row 1) and
 * column. Pure apart from reading the file; `zones` may be empty (only the shape is checked then).
 */
export function readCarbonIntensityCsv(path: string, zones: readonly string[]): CarbonIntensitySeries {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the carbon-intensity file ${path}: ${(error as Error).message}`);
  }
  return parseCarbonIntensityCsv(text, zones, path);
}

/** As readCarbonIntensityCsv, on the file's text; `source` names it in error messages. */
export function parseCarbonIntensityCsv(text: string, zones: readonly string[], source = 'carbon-intensity CSV'): CarbonIntensitySeries {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new Error(`${source}: the file is empty`);
  const header = lines[0].replace(/^\uFEFF/, '').split(',').map((name) => name.trim());
  if (header[0] !== 'datetime_utc') throw new Error(`${source}: the first column is "${header[0]}", expected "datetime_utc"`);

  const columns = zones.map((zone) => {
    const column = header.indexOf(zone);
    if (column < 1) {
      const hint = suggestName(zone, header.slice(1));
      throw new Error(`${source}: zone "${zone}" is not a column of the file (${header.length - 1} zones)${hint ? `; did you mean "${hint}"?` : ''}`);
    }
    return column;
  });

  const rows = lines.length - 1;
  if (rows !== hoursIn2022) throw new Error(`${source}: ${rows} data rows, expected ${hoursIn2022} (one per hour of 2022)`);

  const byZone: Record<string, number[]> = {};
  const series = zones.map((zone) => (byZone[zone] = new Array<number>(rows)));
  for (let i = 0; i < rows; i++) {
    const row = i + 2;
    const cells = lines[i + 1].split(',');
    if (cells.length !== header.length) throw new Error(`${source} row ${row}: ${cells.length} cells, the header has ${header.length}`);
    const stamp = cells[0].trim();
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(stamp) ? `${stamp.replace(' ', 'T')}Z` : 'invalid');
    const expected = year2022StartMs + i * hourMs;
    if (ms !== expected) {
      throw new Error(`${source} row ${row}: datetime_utc "${stamp}", expected ${new Date(expected).toISOString().slice(0, 19).replace('T', ' ')} (consecutive UTC hours from 2022-01-01 00:00)`);
    }
    columns.forEach((column, z) => {
      const cell = cells[column].trim();
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${source} row ${row} (${stamp}), zone ${zones[z]}: "${cell}" is not a finite number >= 0`);
      series[z][i] = value;
    });
  }
  return { startMs: year2022StartMs, hours: rows, byZone };
}
