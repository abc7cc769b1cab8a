/**
 * seriesToSiteForecast: an imported hourly series becomes a SiteForecast, taking the site's facts
 * and other hourly arrays from a base forecast where it covers, and refusing to invent green supply.
 *
 * Carbon intensity data: Electricity Maps (electricitymaps.com), ODbL.
 */
import { describe, expect, it } from 'vitest';
import { sharedDataPath } from '../../scripts/scenarios/sharedDataPath.js';
import type { HourlySeries } from '../../src/data/importers/HourlySeries.js';
import { readForecastSeriesFile } from '../../src/data/importers/readForecastSeriesFile.js';
import { seriesToSiteForecast } from '../../src/data/importers/seriesToSiteForecast.js';
import type { SiteForecast } from '../../src/generated/cosched/v1/standing_planner_service.js';
import { expectInvalid, violationOn } from './expectInvalid.js';

const hour = 3_600_000;
const day0 = Date.UTC(2022, 0, 1);

/** 48 hours from 2022-01-01 00:00 UTC, intensity 100 + h. */
const series: HourlySeries = {
  startMs: day0,
  carbonIntensityGPerKwh: Array.from({ length: 48 }, (_, h) => 100 + h),
  source: 'electricity-maps:test.csv (direct)',
  notes: [],
};

/** A forecast of site `es-1` for the 24 hours from 2022-01-01 12:00 UTC. */
function baseForecast(): SiteForecast {
  return {
    name: 'sites/es-1/forecasts/3',
    version: 3,
    createTime: { seconds: 1_640_000_000, nanos: 0 },
    source: 'manual',
    start: { seconds: (day0 + 12 * hour) / 1000, nanos: 0 },
    site: {
      id: 'es-1',
      name: 'Madrid 1',
      timeZone: 'Europe/Madrid',
      gpuCapacity: 512,
      pue: 1.2,
      greenSupplyMw: Array.from({ length: 24 }, (_, i) => 10 + i),
      carbonIntensityGPerKwh: Array.from({ length: 24 }, () => 999),
      pricePerMwh: Array.from({ length: 24 }, (_, i) => 50 + i),
      baseLoadMw: [],
      gridImportLimitMw: 8,
      storage: undefined,
      marginalIntensityGPerKwh: [],
    },
  };
}

describe('seriesToSiteForecast', () => {
  it('copies facts and the hours base covers, fills the rest with greenSupplyMw, and warns about the zero prices', () => {
    const from = day0 + 6 * hour;
    const { siteForecast, warnings } = seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from, hours: 24, greenSupplyMw: 3 });
    expect(siteForecast.name).toBe('');
    expect(siteForecast.version).toBe(0);
    expect(siteForecast.createTime).toBeUndefined();
    expect(siteForecast.source).toBe('electricity-maps:test.csv (direct)');
    expect(siteForecast.start).toEqual({ seconds: from / 1000, nanos: 0 });
    const site = siteForecast.site;
    expect(site).toMatchObject({ id: 'es-1', name: 'Madrid 1', timeZone: 'Europe/Madrid', gpuCapacity: 512, pue: 1.2, gridImportLimitMw: 8, baseLoadMw: [] });
    // Hours 06..29 of the series; base covers 12..35, i.e. new hours 6..23 = base 0..17.
    expect(site?.carbonIntensityGPerKwh).toEqual(Array.from({ length: 24 }, (_, h) => 106 + h));
    expect(site?.greenSupplyMw).toEqual([3, 3, 3, 3, 3, 3, ...Array.from({ length: 18 }, (_, i) => 10 + i)]);
    expect(site?.pricePerMwh).toEqual([0, 0, 0, 0, 0, 0, ...Array.from({ length: 18 }, (_, i) => 50 + i)]);
    expect(warnings).toContain(
      'green supply 3 MW (greenSupplyMw) for 6 hours base does not cover (2022-01-01T06:00Z to 2022-01-01T11:00Z); base covers 2022-01-01T12:00Z to 2022-01-02T11:00Z',
    );
    expect(warnings.some((w) => w.startsWith('price 0 for 6 hours base does not cover'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('base load'))).toBe(false); // base has no base load
  });

  it('needs no greenSupplyMw and gives no warnings when base covers every hour', () => {
    const { siteForecast, warnings } = seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 + 12 * hour, hours: 24 });
    expect(siteForecast.site?.greenSupplyMw).toEqual(baseForecast().site?.greenSupplyMw);
    expect(siteForecast.site?.pricePerMwh).toEqual(baseForecast().site?.pricePerMwh);
    expect(warnings).toEqual([]);
  });

  it("keeps base's marginal signal for the hours it covers only when it covers them all", () => {
    const base = baseForecast();
    base.site!.marginalIntensityGPerKwh = Array.from({ length: 24 }, (_, i) => 700 + i);
    const covered = seriesToSiteForecast(series, { siteId: 'es-1', base, from: day0 + 18 * hour, hours: 12 });
    expect(covered.siteForecast.site?.marginalIntensityGPerKwh).toEqual(Array.from({ length: 12 }, (_, i) => 706 + i));
    const partly = seriesToSiteForecast(series, { siteId: 'es-1', base, from: day0 + 6 * hour, hours: 24, greenSupplyMw: 3 });
    expect(partly.siteForecast.site?.marginalIntensityGPerKwh).toEqual([]);
    expect(partly.warnings).toContain('marginal intensity left out: base has it but does not cover 6 hours (2022-01-01T06:00Z to 2022-01-01T11:00Z)');
  });

  it('imports a marginal signal (signal marginal) beside the carbon intensity of a base that covers every hour', () => {
    const base = baseForecast();
    const { siteForecast } = seriesToSiteForecast(series, { siteId: 'es-1', base, from: day0 + 12 * hour, hours: 24, signal: 'marginal' });
    expect(siteForecast.site?.marginalIntensityGPerKwh).toEqual(Array.from({ length: 24 }, (_, h) => 112 + h));
    expect(siteForecast.site?.carbonIntensityGPerKwh).toEqual(base.site?.carbonIntensityGPerKwh);
    const error = expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', base, from: day0 + 6 * hour, hours: 24, greenSupplyMw: 3, signal: 'marginal' }));
    expect(violationOn(error, 'options.signal')).toBe(
      "got marginal: the series becomes the marginal signal beside base's carbon intensity, but 6 hours of 24 (2022-01-01T06:00Z to 2022-01-01T11:00Z) have none: " +
        'base covers 2022-01-01T12:00Z to 2022-01-02T11:00Z; import the carbon intensity for those hours first, or cut the series with from and hours',
    );
  });

  it('refuses hours without green supply, naming how many, which, and the option to pass', () => {
    const error = expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 + 6 * hour, hours: 40 }));
    expect(violationOn(error, 'options.greenSupplyMw')).toBe(
      'got nothing; 16 hours of 40 (2022-01-01T06:00Z to 2022-01-01T11:00Z, 2022-01-02T12:00Z to 2022-01-02T21:00Z) have no green supply: ' +
        'base covers 2022-01-01T12:00Z to 2022-01-02T11:00Z; pass greenSupplyMw (MW, used for every hour base does not cover)',
    );
  });

  it('without base, names every missing option', () => {
    const error = expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1' }), 'options.gpuCapacity', 'options.pue');
    expect(violationOn(error, 'options.gpuCapacity')).toBe('got nothing; without base, it must be given: pass gpuCapacity (GPUs, an integer >= 0)');
    expect(violationOn(error, 'options.pue')).toBe('got nothing; without base, it must be given: pass pue (a number >= 1)');
    const green = expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', gpuCapacity: 64, pue: 1.1 }));
    expect(violationOn(green, 'options.greenSupplyMw')).toContain('got nothing; 48 hours of 48 (2022-01-01T00:00Z to 2022-01-02T23:00Z) have no green supply: there is no base');
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', gpuCapacity: 1.5, pue: 0.9, greenSupplyMw: -1 }), 'options.gpuCapacity: got 1.5', 'options.pue: got 0.9', 'options.greenSupplyMw: got -1');
  });

  it('without base, builds the site from the options with no price or base load', () => {
    const { siteForecast, warnings } = seriesToSiteForecast(series, { siteId: 'lab', gpuCapacity: 64, pue: 1.1, greenSupplyMw: 0, hours: 5 });
    expect(siteForecast.site).toEqual({
      id: 'lab',
      name: '',
      timeZone: '',
      gpuCapacity: 64,
      pue: 1.1,
      greenSupplyMw: [0, 0, 0, 0, 0],
      carbonIntensityGPerKwh: [100, 101, 102, 103, 104],
      pricePerMwh: [],
      baseLoadMw: [],
      marginalIntensityGPerKwh: [],
    });
    expect(warnings).toEqual(['green supply 0 MW (greenSupplyMw) for 5 hours base does not cover (2022-01-01T00:00Z to 2022-01-01T04:00Z); there is no base']);
  });

  it('cuts a real year to [from, from + hours)', () => {
    const es = readForecastSeriesFile(sharedDataPath('carbon-intensity-4-zones-2021-2023/ES_2022_hourly.csv'));
    const from = Date.UTC(2022, 6, 1);
    const { siteForecast } = seriesToSiteForecast(es, { siteId: 'es-1', gpuCapacity: 1000, pue: 1.15, greenSupplyMw: 5, from, hours: 168 });
    const offset = (from - es.startMs) / hour;
    expect(siteForecast.site?.carbonIntensityGPerKwh).toEqual(es.carbonIntensityGPerKwh.slice(offset, offset + 168));
    expect(siteForecast.start).toEqual({ seconds: from / 1000, nanos: 0 });
    expect(siteForecast.source).toBe('electricity-maps:ES_2022_hourly.csv (direct)');
    // The whole year fits (8,760 <= 8,784).
    expect(seriesToSiteForecast(es, { siteId: 'es-1', gpuCapacity: 1000, pue: 1.15, greenSupplyMw: 5 }).siteForecast.site?.greenSupplyMw).toHaveLength(8760);
  });

  it('refuses more than 8,784 hours, suggesting from and hours', () => {
    const long: HourlySeries = { ...series, carbonIntensityGPerKwh: new Array<number>(9000).fill(1) };
    const error = expectInvalid(() => seriesToSiteForecast(long, { siteId: 'x', gpuCapacity: 1, pue: 1, greenSupplyMw: 0 }));
    expect(violationOn(error, 'options.hours')).toContain('got nothing, i.e. the rest of the series: 9,000 hours; a site forecast holds at most 8,784 hours: pass from and hours');
  });

  it('refuses a cut outside the series, a base of another site, and a bad site id', () => {
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 - hour }), 'options.from: got 2021-12-31T23:00Z', 'the series covers 2022-01-01T00:00Z to 2022-01-02T23:00Z');
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 + 30 * 60_000 }), 'options.from: got 1640997000000; expected epoch ms of a whole UTC hour');
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 + 40 * hour, hours: 9 }), 'options.hours: got 9', 'at most 8 hours');
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'fr-1', base: baseForecast() }), 'options.base.site.id: got "es-1"; expected the same site as siteId "fr-1"');
    expectInvalid(() => seriesToSiteForecast(series, { siteId: 'bad id', gpuCapacity: 1, pue: 1, greenSupplyMw: 0 }), 'options.siteId: got "bad id"');
  });

  it('lets options replace base facts, with a warning', () => {
    const { siteForecast, warnings } = seriesToSiteForecast(series, { siteId: 'es-1', base: baseForecast(), from: day0 + 12 * hour, hours: 2, gpuCapacity: 256 });
    expect(siteForecast.site?.gpuCapacity).toBe(256);
    expect(warnings).toEqual(["gpuCapacity 256 from the options replaces base's 512"]);
  });
});
