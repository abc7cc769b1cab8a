/**
 * Importers for real forecast files: Electricity Maps hourly CSVs and WattTime MOER CSVs (plain or
 * zipped), strict about every bad line. Real files come from the shared data folder (../shared/data
 * beside the project, or COSCHED_SHARED_DATA); small hand-made files from test/fixtures/importers.
 *
 * Carbon intensity data: Electricity Maps (electricitymaps.com), ODbL.
 * WattTime MOER trace: dos-group/vessim (MIT), data from WattTime.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCarbonIntensityCsv } from '../../scripts/paper/readCarbonIntensityCsv.js';
import { readZipEntry } from '../../scripts/scenarios/readZipEntry.js';
import { sharedDataPath } from '../../scripts/scenarios/sharedDataPath.js';
import { importElectricityMapsCsv } from '../../src/data/importers/importElectricityMapsCsv.js';
import { gPerKwhPerLbPerMwh, importWattTimeMoerCsv } from '../../src/data/importers/importWattTimeMoerCsv.js';
import { detectForecastFormat, readForecastSeriesFile } from '../../src/data/importers/readForecastSeriesFile.js';
import { expectInvalid, violationOn } from './expectInvalid.js';

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/importers/${name}`, import.meta.url));
const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');
const hour = 3_600_000;
const esPath = () => sharedDataPath('carbon-intensity-4-zones-2021-2023/ES_2022_hourly.csv');
const wideCiPath = () => sharedDataPath('carbon-intensity-2022-123-zones/ci_2022_hourly.csv');
const moerZipPath = () => sharedDataPath('solar-and-moer-traces/watttime2023_caiso-north.zip');

describe('Electricity Maps CSV, real files', () => {
  it('reads Spain 2022 as 8,760 consecutive hours whose first and last values match the raw file', () => {
    const series = readForecastSeriesFile(esPath());
    expect(series.startMs).toBe(Date.UTC(2022, 0, 1));
    expect(series.carbonIntensityGPerKwh).toHaveLength(8760);
    expect(series.renewablePercent).toHaveLength(8760);
    expect(series.zone).toBe('ES');
    expect(series.source).toBe('electricity-maps:ES_2022_hourly.csv (direct)');

    // Spot checks against the raw lines (CRLF; direct = column 5, LCA = 6, renewable = 8).
    const lines = readFileSync(esPath(), 'utf8').trimEnd().split('\r\n');
    const first = lines[1].split(',');
    const last = lines[lines.length - 1].split(',');
    expect(first.slice(0, 1).concat(first[4], first[7])).toEqual(['2022-01-01 00:00:00', '133.64', '42.94']);
    expect(last.slice(0, 1).concat(last[4], last[7])).toEqual(['2022-12-31 23:00:00', '74.33', '53.07']);
    expect(series.carbonIntensityGPerKwh[0]).toBe(Number(first[4]));
    expect(series.carbonIntensityGPerKwh[8759]).toBe(Number(last[4]));
    expect(series.renewablePercent?.[0]).toBe(42.94);
    expect(series.renewablePercent?.[8759]).toBe(53.07);
    expect(series.notes.join('\n')).toMatch(/124 of 8,760 hours are marked as estimated/);

    const lca = readForecastSeriesFile(esPath(), { intensity: 'lca' });
    expect(lca.carbonIntensityGPerKwh[0]).toBe(Number(first[5]));
    expect(lca.carbonIntensityGPerKwh[8759]).toBe(104.82);
    expect(lca.source).toBe('electricity-maps:ES_2022_hourly.csv (lca)');
  });

  it('cuts a real file to [from, to)', () => {
    const from = Date.UTC(2022, 6, 1);
    const full = readForecastSeriesFile(esPath());
    const july1 = readForecastSeriesFile(esPath(), { from, to: from + 24 * hour });
    expect(july1.startMs).toBe(from);
    const offset = (from - full.startMs) / hour;
    expect(july1.carbonIntensityGPerKwh).toEqual(full.carbonIntensityGPerKwh.slice(offset, offset + 24));
    expectInvalid(() => readForecastSeriesFile(esPath(), { from: Date.UTC(2023, 0, 1) }), 'options.from', 'no hour lies in [2023-01-01T00:00Z, ...)', '2022-12-31 23:00:00');
  });

  it('reads one zone of the wide 123-zone file exactly as the paper reader does', () => {
    const series = readForecastSeriesFile(wideCiPath(), { zone: 'ES', intensity: 'lca' });
    expect(series.startMs).toBe(Date.UTC(2022, 0, 1));
    expect(series.source).toBe('electricity-maps:ci_2022_hourly.csv ES (lca)');
    expect(series.renewablePercent).toBeUndefined();
    expect(series.carbonIntensityGPerKwh).toEqual(readCarbonIntensityCsv(wideCiPath(), ['ES']).byZone.ES);
    expectInvalid(() => readForecastSeriesFile(wideCiPath()), 'options.zone', 'got nothing', '123 zones', 'AT, AU-NSW');
    expectInvalid(() => readForecastSeriesFile(wideCiPath(), { zone: 'Es' }), 'options.zone', 'got "Es"', 'did you mean "ES"');
  });
});

describe('Electricity Maps CSV, hand-made files', () => {
  it('handles a BOM, CRLF line ends and quoted fields holding commas and quotes', () => {
    const text = fixture('em-bom-crlf-quoted.csv');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('\r\n');
    const series = importElectricityMapsCsv(text, { fileName: 'em-bom-crlf-quoted.csv' });
    expect(series).toMatchObject({ startMs: Date.UTC(2022, 0, 1), carbonIntensityGPerKwh: [100, 110.5, 90, 80.25], renewablePercent: [50, 50, 50, 50], zone: 'AA' });
    expect(series.notes.join('\n')).toContain('1 of 4 hours are marked as estimated by Electricity Maps (ESTIMATED_TIME_SLICER_AVERAGE: 1)');
    expect(importElectricityMapsCsv(text, { intensity: 'lca' }).carbonIntensityGPerKwh).toEqual([130, 140, 120, 110]);
  });

  it('reads the wide layout (datetime_utc, one column per zone)', () => {
    const series = importElectricityMapsCsv(fixture('em-wide.csv'), { zone: 'BB', fileName: 'em-wide.csv' });
    expect(series).toMatchObject({ startMs: Date.UTC(2022, 0, 1), carbonIntensityGPerKwh: [200, 201.25, 202], zone: 'BB', source: 'electricity-maps:em-wide.csv BB (kind not stated)' });
  });

  it('reports every gap with its line, the hour received, the hour before and how many are missing', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-gap.csv'), { fileName: 'em-gap.csv' }), 'em-gap.csv');
    expect(error.violations).toHaveLength(2);
    expect(violationOn(error, 'line 5')).toBe('Datetime (UTC) 2022-01-01 04:00:00 follows 2022-01-01 02:00:00 (line 4); expected 2022-01-01 03:00:00 (1 hour missing)');
    expect(violationOn(error, 'line 7')).toBe(
      'Datetime (UTC) 2022-01-01 08:00:00 follows 2022-01-01 05:00:00 (line 6); expected 2022-01-01 06:00:00 (2 hours missing: 2022-01-01 06:00:00 to 2022-01-01 07:00:00)',
    );
  });

  it('reports a repeated hour', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-duplicate.csv')), 'line 4', '2022-01-01 01:00:00 repeats the hour of line 3', 'expected 2022-01-01 02:00:00');
    expect(error.violations).toHaveLength(1);
  });

  it('reports an hour out of order once, not also as a gap', () => {
    const error = expectInvalid(
      () => importElectricityMapsCsv(fixture('em-out-of-order.csv')),
      'line 5',
      '2022-01-01 02:00:00 follows 2022-01-01 03:00:00 (line 4), 1 hour earlier; expected 2022-01-01 04:00:00',
    );
    expect(error.violations).toHaveLength(1);
  });

  it('reports every unparsable number with its line, column and the cell received', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-bad-number.csv')));
    expect(error.violations.map((v) => v.field)).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(violationOn(error, 'line 3')).toContain('Carbon Intensity gCO₂eq/kWh (direct) "n/a" is not a number; expected a finite number >= 0');
    expect(violationOn(error, 'line 4')).toContain('an empty cell is not a number');
    expect(violationOn(error, 'line 5')).toContain('Renewable Percentage "abc" is not a number; expected a percentage in 0..100');
    expect(violationOn(error, 'line 6')).toContain('"0x10" is not a number');
  });

  it('reports unreadable and off-hour timestamps without calling the hours they hide missing', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-bad-timestamp.csv')));
    expect(error.violations.map((v) => v.field)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(violationOn(error, 'line 3')).toContain('Datetime (UTC) "2022/01/01 01:00" is not a timestamp');
    expect(violationOn(error, 'line 4')).toContain('2022-01-01 02:30:00 is not on a whole hour');
    expect(violationOn(error, 'line 5')).toContain('"2022-02-30 03:00:00" is not a timestamp');
  });

  it('reports negative intensities and percentages above 100', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-negative.csv')));
    expect(error.violations).toHaveLength(2);
    expect(violationOn(error, 'line 3')).toBe('Carbon Intensity gCO₂eq/kWh (direct) -5 is out of range; expected a finite number >= 0 (gCO2eq/kWh)');
    expect(violationOn(error, 'line 4')).toBe('Renewable Percentage 120 is out of range; expected a percentage in 0..100');
  });

  it('names the columns found and the ones expected for an unknown header', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-bad-header.csv')));
    const description = violationOn(error, 'line 1 (header)');
    expect(description).toContain('columns found: "Date", "Zone", "CO2 intensity"');
    expect(description).toContain('Datetime (UTC), Zone Id, Carbon Intensity gCO₂eq/kWh (direct)');
    expect(description).toContain('datetime_utc');
  });

  it('names a missing intensity column and the one the file has', () => {
    const text = 'Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (LCA)\n2022-01-01 00:00:00,AA,1\n';
    const error = expectInvalid(() => importElectricityMapsCsv(text));
    expect(violationOn(error, 'Carbon Intensity gCO₂eq/kWh (direct)')).toContain("pass intensity 'lca'");
  });

  it('refuses an empty file and a header without rows', () => {
    expect(violationOn(expectInvalid(() => importElectricityMapsCsv(fixture('em-empty.csv'))), 'file')).toContain('the file is empty');
    expect(violationOn(expectInvalid(() => importElectricityMapsCsv(fixture('em-header-only.csv'))), 'file')).toContain('only a header');
    expect(violationOn(expectInvalid(() => importElectricityMapsCsv('\uFEFF\r\n  \r\n')), 'file')).toContain('the file is empty');
  });

  it('refuses mixed zones unless zone picks one', () => {
    const error = expectInvalid(() => importElectricityMapsCsv(fixture('em-mixed-zones.csv')));
    expect(violationOn(error, 'Zone Id')).toBe('the file mixes 2 zones: "AA" (3 rows from line 2), "BB" (3 rows from line 3); expected one zone per file, or pass zone to pick one');
    const bb = importElectricityMapsCsv(fixture('em-mixed-zones.csv'), { zone: 'BB', fileName: 'em-mixed-zones.csv' });
    expect(bb).toMatchObject({ carbonIntensityGPerKwh: [200, 201, 202], zone: 'BB', source: 'electricity-maps:em-mixed-zones.csv BB (direct)' });
    expectInvalid(() => importElectricityMapsCsv(fixture('em-mixed-zones.csv'), { zone: 'CC' }), 'options.zone', 'got "CC"', 'its zones: "AA", "BB"');
  });

  it('lists the first 50 bad lines and counts the rest', () => {
    const rows = Array.from({ length: 80 }, (_, h) => `${new Date(Date.UTC(2022, 0, 1) + h * hour).toISOString()},AA,-${h + 1}`);
    const text = ['Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)', ...rows].join('\n');
    const error = expectInvalid(
      () => importElectricityMapsCsv(text),
      'line 2: Carbon Intensity gCO₂eq/kWh (direct) -1 is out of range',
      'line 51: Carbon Intensity gCO₂eq/kWh (direct) -50 is out of range',
      '... and 30 more problems (80 problems in all',
    );
    expect(error.message).not.toContain('line 52:');
    expect(error.violations).toHaveLength(51);
  });

  it('reports a quote that is never closed and a row with the wrong number of fields', () => {
    const text = 'Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)\n2022-01-01 00:00:00,AA,1,extra\n2022-01-01 01:00:00,"AA,2\n';
    const error = expectInvalid(() => importElectricityMapsCsv(text));
    expect(violationOn(error, 'line 3')).toContain('quoted field opened on this line is never closed');
    expect(violationOn(error, 'line 2')).toContain('4 fields, the header has 3');
  });

  it('accepts Z and offsets, converting to UTC', () => {
    const text = 'Datetime (UTC),Zone Id,Carbon Intensity gCO₂eq/kWh (direct)\n2022-01-01T00:00:00Z,AA,1\n2022-01-01T02:00:00+01:00,AA,2\n2022-01-01 02:00:00,AA,3\n';
    expect(importElectricityMapsCsv(text).carbonIntensityGPerKwh).toEqual([1, 2, 3]);
  });
});

describe('WattTime MOER CSV', () => {
  it('resamples the real CAISO-North zip to hourly means that match the raw 5-minute rows', () => {
    const series = readForecastSeriesFile(moerZipPath());
    expect(series.source).toBe('watttime:watttime2023_caiso-north.zip:watttime2023_caiso-north_actual.csv (g/kWh)');
    expect(series.zone).toBe('Caiso_North');
    expect(series.startMs).toBe(Date.UTC(2023, 5, 8));
    expect(series.carbonIntensityGPerKwh).toHaveLength(31 * 24);
    expect(series.notes.join('\n')).toContain('8,928 samples every 5 minutes resampled to 744 hourly means');
    expect(series.notes.join('\n')).toContain('states no unit, so the values are taken as g/kWh');
    expect(series.notes.join('\n')).not.toContain('fewer than');

    // Hour 13 (2023-06-08 13:00 UTC) by hand from the raw rows 13:00 .. 13:55.
    const raw = readZipEntry(moerZipPath(), 'watttime2023_caiso-north_actual.csv').toString('utf8');
    const rows = raw.split('\n').filter((line) => line.startsWith('2023-06-08 13:'));
    expect(rows).toHaveLength(12);
    const handMean = rows.map((line) => Number(line.split(',')[1])).reduce((a, b) => a + b) / 12;
    expect(handMean).toBeCloseTo(422.370095198, 8);
    expect(series.carbonIntensityGPerKwh[13]).toBeCloseTo(handMean, 10);

    const lbs = readForecastSeriesFile(moerZipPath(), { unit: 'lbs_per_mwh', from: Date.UTC(2023, 5, 8, 13), to: Date.UTC(2023, 5, 8, 15) });
    expect(lbs.startMs).toBe(Date.UTC(2023, 5, 8, 13));
    expect(lbs.carbonIntensityGPerKwh).toHaveLength(2);
    expect(lbs.carbonIntensityGPerKwh[0]).toBeCloseTo(handMean * 0.45359237, 10);
    expect(lbs.source).toContain('(lbs/MWh converted to g/kWh)');
  });

  it('refuses the issued-forecast entry of the zip with a hint', () => {
    expectInvalid(
      () => readForecastSeriesFile(moerZipPath(), { entry: 'watttime2023_caiso-north_forecast.csv' }),
      'line 1 (header)',
      '"request_time", "forecast_time"',
      'the *_actual.csv entry',
    );
  });

  it('converts lbs/MWh when the header says so, and lets the unit option override', () => {
    const series = importWattTimeMoerCsv(fixture('wt-lbs-header.csv'));
    expect(series.carbonIntensityGPerKwh[0]).toBeCloseTo(905.5 * gPerKwhPerLbPerMwh, 10);
    expect(series.carbonIntensityGPerKwh[1]).toBeCloseTo(453.59237, 10);
    expect(gPerKwhPerLbPerMwh).toBe(453.59237 / 1000);
    expect(series.notes[0]).toContain('unit lbs/MWh, as column "MOER (lbs/MWh)" says');
    expect(series.zone).toBeUndefined();

    const overridden = importWattTimeMoerCsv(fixture('wt-lbs-header.csv'), { unit: 'g_per_kwh' });
    expect(overridden.carbonIntensityGPerKwh).toEqual([905.5, 1000]);
    expect(overridden.notes[0]).toContain('NOTE column "MOER (lbs/MWh)" says lbs/MWh');
  });

  it('averages short hours over the samples they have, counts them in notes, and reads Z and offsets', () => {
    const series = importWattTimeMoerCsv(fixture('wt-short-hours.csv'));
    expect(series.startMs).toBe(Date.UTC(2023, 5, 8, 0));
    expect(series.carbonIntensityGPerKwh).toEqual([105.5, 205, 300]);
    expect(series.notes).toContain('1 hour had fewer than 12 samples and is averaged over what it has: 2023-06-08 01:00:00 (6)');
  });

  it('names every hour without a sample', () => {
    const error = expectInvalid(() => importWattTimeMoerCsv(fixture('wt-gap.csv'), { fileName: 'wt-gap.csv' }), 'wt-gap.csv');
    expect(error.violations).toHaveLength(2);
    expect(violationOn(error, 'line 14')).toBe('time 2023-06-08 02:00:00 follows 2023-06-08 00:55:00 (line 13): 1 hour with no sample (2023-06-08 01:00:00); expected samples in every hour');
    expect(violationOn(error, 'line 38')).toContain('2 hours with no sample (2023-06-08 04:00:00 to 2023-06-08 05:00:00)');
    // A cut that avoids the gaps imports.
    expect(importWattTimeMoerCsv(fixture('wt-gap.csv'), { from: Date.UTC(2023, 5, 8, 2), to: Date.UTC(2023, 5, 8, 4) }).carbonIntensityGPerKwh).toEqual([402, 403]);
  });

  it('reports bad numbers, negatives, repeated and backward times, each on its line', () => {
    const error = expectInvalid(() => importWattTimeMoerCsv(fixture('wt-bad.csv')));
    expect(error.violations.map((v) => v.field)).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(violationOn(error, 'line 3')).toContain('Signal_X "abc" is not a number');
    expect(violationOn(error, 'line 4')).toContain('Signal_X -3 is negative; expected a finite number >= 0');
    expect(violationOn(error, 'line 5')).toContain('time 2023-06-08 00:10:00 repeats the time of line 4');
    expect(violationOn(error, 'line 6')).toContain('time 2023-06-08 00:02:00 follows 2023-06-08 00:10:00 (line 4), 8 minutes earlier');
  });

  it('refuses an unknown header, an empty file and a header alone', () => {
    expect(violationOn(expectInvalid(() => importWattTimeMoerCsv('when,a,b\n2023-06-08 00:00:00,1,2\n')), 'line 1 (header)')).toContain('columns found: "when", "a", "b"');
    expect(violationOn(expectInvalid(() => importWattTimeMoerCsv('')), 'file')).toContain('the file is empty');
    expect(violationOn(expectInvalid(() => importWattTimeMoerCsv('time,Signal_X\r\n')), 'file')).toContain('only a header');
  });
});

describe('readForecastSeriesFile', () => {
  it('tells the format from the header', () => {
    expect(detectForecastFormat(fixture('em-bom-crlf-quoted.csv'))).toBe('electricity-maps');
    expect(detectForecastFormat(fixture('em-wide.csv'))).toBe('electricity-maps');
    expect(detectForecastFormat(fixture('wt-short-hours.csv'))).toBe('watttime');
    expect(detectForecastFormat(fixture('em-bad-header.csv'))).toBeUndefined();
    expectInvalid(() => readForecastSeriesFile(fixturePath('em-bad-header.csv')), 'line 1 (header)', '"Date,Zone,CO2 intensity"', 'pass format');
    expectInvalid(() => readForecastSeriesFile(fixturePath('em-wide.csv'), { format: 'watttime' }), 'line 1 (header)', '"datetime_utc", "AA", "BB"');
  });

  it('reads the first .csv entry of a zip, or the named one', () => {
    const moer = readForecastSeriesFile(fixturePath('bundle.zip'));
    expect(moer.source).toBe('watttime:bundle.zip:nested/moer.csv (lbs/MWh converted to g/kWh)');
    expect(moer.carbonIntensityGPerKwh).toHaveLength(2);
    const wide = readForecastSeriesFile(fixturePath('bundle.zip'), { entry: 'em-wide.csv', zone: 'AA' });
    expect(wide).toMatchObject({ carbonIntensityGPerKwh: [100.5, 101, 102], source: 'electricity-maps:bundle.zip:em-wide.csv AA (kind not stated)' });
    expectInvalid(() => readForecastSeriesFile(fixturePath('bundle.zip'), { entry: 'nope.csv' }), 'options.entry', 'got "nope.csv"', '"README.txt", "nested/moer.csv", "em-wide.csv"');
  });

  it('refuses options that do not fit the file, and files it cannot read', () => {
    expectInvalid(() => readForecastSeriesFile(fixturePath('em-wide.csv'), { zone: 'AA', unit: 'lbs_per_mwh' }), 'options.unit', 'got "lbs_per_mwh"', 'only to WattTime');
    expectInvalid(() => readForecastSeriesFile(fixturePath('wt-short-hours.csv'), { zone: 'AA' }), 'options.zone', 'got "AA"', 'only to Electricity Maps');
    expectInvalid(() => readForecastSeriesFile(fixturePath('wt-short-hours.csv'), { entry: 'x.csv' }), 'options.entry', 'not a zip archive');
    expectInvalid(() => readForecastSeriesFile(fixturePath('no-such-file.csv')), 'path', 'no-such-file.csv', 'ENOENT');
    expectInvalid(() => readForecastSeriesFile(fixturePath('em-gap.csv'), { format: 'csv' as never }), 'options.format', 'got "csv"');
    expectInvalid(() => readForecastSeriesFile(esPath(), { intensity: 'total' as never }), 'options.intensity', 'got "total"');
  });
});
