import { numberProblem } from '../checkNumber.js';
import { describeJsonValue } from '../describeJsonValue.js';
import { formatUtcInstant } from '../formatUtcInstant.js';
import { idPattern } from '../IdRegistry.js';
import { timestampToMs } from '../timestampToMs.js';
import type { Site } from '../../generated/cosched/v1/plan_request.js';
import type { SiteForecast } from '../../generated/cosched/v1/standing_planner_service.js';
import type { Timestamp } from '../../generated/google/protobuf/timestamp.js';
import { msPerHour, type HourlySeries } from './HourlySeries.js';
import { LineViolations } from './LineViolations.js';
import { plural } from './parseCells.js';

/** The most hours one site forecast may hold (a leap year). */
export const maxForecastHours = 8_784;

export interface SeriesToSiteForecastOptions {
  /** The site's id (letters, digits, '_', '-', '.'; 1..64). Must match `base.site.id` when base is given. */
  siteId: string;
  /** An earlier forecast of the same site: its facts and its hourly arrays for the hours it covers. */
  base?: SiteForecast;
  /** First hour of the new forecast (epoch ms, a whole UTC hour inside the series). Unset: the series' start. */
  from?: number;
  /** Number of hours (an integer >= 1). Unset: to the end of the series. */
  hours?: number;
  /** Green supply (MW) for every hour base does not cover. Required when base does not cover every hour. */
  greenSupplyMw?: number;
  /** GPUs available (an integer >= 0). Required without base; replaces base's when given. */
  gpuCapacity?: number;
  /** Power usage effectiveness (>= 1). Required without base; replaces base's when given. */
  pue?: number;
  /** Human-readable name. Unset: base's, else empty (the planner then shows the id). */
  name?: string;
  /** IANA time zone. Unset: base's, else empty (UTC). */
  timeZone?: string;
  /** Grid import limit (MW, >= 0). Unset: base's, else unlimited. */
  gridImportLimitMw?: number;
  /**
   * What the series is: `intensity` (default), the grid's carbon intensity; or `marginal`, its
   * marginal emission rate (e.g. WattTime MOER), which becomes marginalIntensityGPerKwh beside
   * base's carbon intensity (base must then cover every hour).
   */
  signal?: 'intensity' | 'marginal';
}

export interface SiteForecastFromSeries {
  /** The forecast to put: site, start and source set; name, version and createTime left for the server. */
  siteForecast: SiteForecast;
  /** What was filled in or replaced, for the caller to show. */
  warnings: string[];
}

const what = 'site forecast from series';

/**
 * Builds a site forecast from an imported hourly series: it covers the series' hours cut to
 * [from, from + hours) (at most 8,784), with the series' carbon intensity. With `base` (a forecast
 * of the same site), the site's facts (name, time zone, GPU capacity, PUE, grid import limit) come
 * from base unless an option gives them, and green supply, price and base load are copied from
 * base for the hours it covers. For the hours it does not cover (all hours, without base):
 * green supply is `greenSupplyMw`, which is then required (no silent zeros); price and base load
 * are 0 with a warning, but only when base has them (else they stay empty, i.e. not counted).
 * Base's marginal intensity is kept when base covers every hour, else left out with a warning.
 * With `signal: 'marginal'` the series is the marginal signal instead (marginalIntensityGPerKwh)
 * and the carbon intensity is base's, which must then cover every hour.
 * Without base, `gpuCapacity` and `pue` are required. `source` is the series' source.
 *
 * @throws CoschedError INVALID_ARGUMENT listing every problem: bad or missing options (named, with
 *   the value received and what is allowed), a cut outside the series, more than 8,784 hours
 *   (suggesting from/hours), a base of another site, hours lacking green supply, or (signal
 *   marginal) hours lacking base's carbon intensity.
 */
export function seriesToSiteForecast(series: HourlySeries, options: SeriesToSiteForecastOptions): SiteForecastFromSeries {
  const violations: LineViolations = new LineViolations();
  const warnings: string[] = [];
  const check = (path: string, value: unknown, rule: Parameters<typeof numberProblem>[1]) => {
    const problem = numberProblem(value, rule);
    if (problem !== undefined) violations.add(path, problem);
    return problem === undefined;
  };

  // The series.
  const seriesHours = Array.isArray(series.carbonIntensityGPerKwh) ? series.carbonIntensityGPerKwh.length : 0;
  if (seriesHours === 0) violations.add('series.carbonIntensityGPerKwh', 'got no hours; expected at least one');
  if (!Number.isInteger(series.startMs) || series.startMs % msPerHour !== 0) {
    violations.add('series.startMs', `got ${describeJsonValue(series.startMs)}; expected epoch ms of a whole UTC hour`);
  }
  const badValue = seriesHours > 0 ? series.carbonIntensityGPerKwh.findIndex((v) => !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) : -1;
  if (badValue >= 0) violations.add(`series.carbonIntensityGPerKwh[${badValue}]`, `got ${describeJsonValue(series.carbonIntensityGPerKwh[badValue])}; expected a finite number >= 0 (gCO2eq/kWh)`);
  violations.throwIfAny(what);
  const seriesEndMs = series.startMs + seriesHours * msPerHour;
  const seriesSpan = `the series covers ${formatUtcInstant(series.startMs)} to ${formatUtcInstant(seriesEndMs - msPerHour)} (${plural(seriesHours, 'hour')})`;

  // The cut.
  if (typeof options.siteId !== 'string' || !idPattern.test(options.siteId)) {
    violations.add('options.siteId', `got ${describeJsonValue(options.siteId)}; expected 1..64 letters, digits, '_', '-' or '.', starting with a letter or digit`);
  }
  let fromMs = series.startMs;
  if (options.from !== undefined) {
    const from = options.from;
    if (typeof from !== 'number' || !Number.isFinite(from) || from % msPerHour !== 0) {
      violations.add('options.from', `got ${describeJsonValue(from)}; expected epoch ms of a whole UTC hour`);
    } else if (from < series.startMs || from >= seriesEndMs) {
      violations.add('options.from', `got ${formatUtcInstant(from)}; ${seriesSpan}; expected a hour inside it`);
    } else {
      fromMs = from;
    }
  }
  const available = (seriesEndMs - fromMs) / msPerHour;
  let hours = available;
  if (options.hours !== undefined) {
    if (check('options.hours', options.hours, { integer: true, min: 1 })) {
      if (options.hours > available) {
        violations.add('options.hours', `got ${options.hours}; from ${formatUtcInstant(fromMs)} ${seriesSpan}, so at most ${available} hours are available`);
      } else {
        hours = options.hours;
      }
    }
  }
  if (hours > maxForecastHours) {
    violations.add(
      'options.hours',
      `got ${options.hours === undefined ? `nothing, i.e. the rest of the series: ${plural(hours, 'hour')}` : hours}; a site forecast holds at most ${plural(maxForecastHours, 'hour')}: ` +
        `pass from and hours to cut the series (${seriesSpan})`,
    );
  }

  // Facts from options or base.
  const base = options.base;
  const baseSite: Partial<Site> | undefined = base?.site;
  let baseStartMs: number | undefined;
  let baseHours = 0;
  if (base !== undefined) {
    if (baseSite === undefined || baseSite === null) {
      violations.add('options.base.site', 'got nothing; expected the site of the base forecast');
    } else {
      if (baseSite.id !== options.siteId) violations.add('options.base.site.id', `got ${describeJsonValue(baseSite.id)}; expected the same site as siteId ${describeJsonValue(options.siteId)}`);
      baseStartMs = base.start === undefined ? undefined : timestampToMs(base.start);
      if (baseStartMs === undefined || baseStartMs % msPerHour !== 0) {
        const got = base.start === undefined ? 'nothing' : baseStartMs === undefined ? 'an invalid Timestamp' : formatUtcInstant(baseStartMs);
        violations.add('options.base.start', `got ${got}; expected a whole UTC hour`);
      }
      baseHours = Array.isArray(baseSite.greenSupplyMw) ? baseSite.greenSupplyMw.length : 0;
      for (const key of ['pricePerMwh', 'baseLoadMw'] as const) {
        const length = Array.isArray(baseSite[key]) ? (baseSite[key] as number[]).length : 0;
        if (length !== 0 && length !== baseHours) violations.add(`options.base.site.${key}`, `got ${plural(length, 'value')}; expected none or ${baseHours} (one per hour of greenSupplyMw)`);
      }
    }
  }
  // An option replaces base's fact; unset proto fields ('' name or zone, pue 0) count as missing.
  const fact = <T>(key: string, own: T | undefined, fromBase: T | undefined): T | undefined => {
    if (own !== undefined && fromBase !== undefined && own !== fromBase) warnings.push(`${key} ${describeJsonValue(own)} from the options replaces base's ${describeJsonValue(fromBase)}`);
    return own ?? fromBase;
  };
  const gpuCapacity = fact('gpuCapacity', options.gpuCapacity, baseSite?.gpuCapacity);
  const pue = fact('pue', options.pue, baseSite?.pue === 0 ? undefined : baseSite?.pue);
  const name = fact('name', options.name, baseSite?.name === '' ? undefined : baseSite?.name);
  const timeZone = fact('timeZone', options.timeZone, baseSite?.timeZone === '' ? undefined : baseSite?.timeZone);
  const gridImportLimitMw = fact('gridImportLimitMw', options.gridImportLimitMw, baseSite?.gridImportLimitMw ?? undefined);
  const missing = base === undefined ? 'without base, it must be given' : "base's site does not have it";
  if (gpuCapacity === undefined) violations.add('options.gpuCapacity', `got nothing; ${missing}: pass gpuCapacity (GPUs, an integer >= 0)`);
  else check(options.gpuCapacity !== undefined ? 'options.gpuCapacity' : 'options.base.site.gpuCapacity', gpuCapacity, { integer: true, min: 0 });
  if (pue === undefined) violations.add('options.pue', `got nothing; ${missing}: pass pue (a number >= 1)`);
  else check(options.pue !== undefined ? 'options.pue' : 'options.base.site.pue', pue, { min: 1 });
  if (options.greenSupplyMw !== undefined) check('options.greenSupplyMw', options.greenSupplyMw, { min: 0, unit: 'MW' });
  if (options.gridImportLimitMw !== undefined) check('options.gridImportLimitMw', options.gridImportLimitMw, { min: 0, unit: 'MW' });
  if (options.signal !== undefined && options.signal !== 'intensity' && options.signal !== 'marginal') {
    violations.add('options.signal', `got ${describeJsonValue(options.signal)}; expected intensity or marginal`);
  }
  for (const key of ['name', 'timeZone'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') violations.add(`options.${key}`, `got ${describeJsonValue(options[key])}; expected a string`);
  }
  violations.throwIfAny(what);

  // Which hours base covers: base index of hour h of the new forecast, or -1.
  const offset = baseStartMs === undefined ? 0 : (fromMs - baseStartMs) / msPerHour;
  const baseIndex = (h: number) => (baseSite !== undefined && baseStartMs !== undefined && h + offset >= 0 && h + offset < baseHours ? h + offset : -1);
  const uncovered: number[] = [];
  for (let h = 0; h < hours; h++) if (baseIndex(h) < 0) uncovered.push(h);
  const uncoveredText = describeHourRuns(uncovered, fromMs);
  const baseText =
    base === undefined ? 'there is no base' : `base covers ${baseHours === 0 ? 'no hour' : `${formatUtcInstant(baseStartMs as number)} to ${formatUtcInstant((baseStartMs as number) + (baseHours - 1) * msPerHour)}`}`;
  const marginal = options.signal === 'marginal';
  if (marginal && uncovered.length > 0) {
    violations.add(
      'options.signal',
      `got marginal: the series becomes the marginal signal beside base's carbon intensity, but ${plural(uncovered.length, 'hour')} of ${hours} (${uncoveredText}) ` +
        `have none: ${baseText}; import the carbon intensity for those hours first, or cut the series with from and hours`,
    );
    violations.fail(what);
  }
  if (uncovered.length > 0 && options.greenSupplyMw === undefined) {
    violations.add(
      'options.greenSupplyMw',
      `got nothing; ${plural(uncovered.length, 'hour')} of ${hours} (${uncoveredText}) have no green supply: ${baseText}; pass greenSupplyMw (MW, used for every hour base does not cover)`,
    );
    violations.fail(what);
  }
  if (base !== undefined && uncovered.length === hours) warnings.push(`base (${baseText.replace('base covers ', '')}) covers none of the ${plural(hours, 'hour')}; only its site facts are used`);

  const hourly = (key: 'greenSupplyMw' | 'pricePerMwh' | 'baseLoadMw', fill: number): number[] => {
    const values = baseSite?.[key] ?? [];
    return Array.from({ length: hours }, (_, h) => {
      const i = baseIndex(h);
      return i >= 0 ? values[i] : fill;
    });
  };
  const greenSupplyMw = hourly('greenSupplyMw', options.greenSupplyMw ?? 0);
  if (uncovered.length > 0) warnings.push(`green supply ${options.greenSupplyMw} MW (greenSupplyMw) for ${plural(uncovered.length, 'hour')} base does not cover (${uncoveredText}); ${baseText}`);
  else if (options.greenSupplyMw !== undefined) warnings.push(`greenSupplyMw ${options.greenSupplyMw} is not used: base covers every hour`);
  const optional = (key: 'pricePerMwh' | 'baseLoadMw', label: string): number[] => {
    if ((baseSite?.[key] ?? []).length === 0) return [];
    if (uncovered.length > 0) warnings.push(`${label} 0 for ${plural(uncovered.length, 'hour')} base does not cover (${uncoveredText}); base has ${label} for the hours it covers`);
    return hourly(key, 0);
  };
  const pricePerMwh = optional('pricePerMwh', 'price');
  const baseLoadMw = optional('baseLoadMw', 'base load');
  const seriesCut = series.carbonIntensityGPerKwh.slice((fromMs - series.startMs) / msPerHour, (fromMs - series.startMs) / msPerHour + hours);
  let carbonIntensityGPerKwh = seriesCut;
  let marginalIntensityGPerKwh: number[] = [];
  if (marginal) {
    // checked above: base covers every hour.
    const baseIntensity = baseSite?.carbonIntensityGPerKwh ?? [];
    carbonIntensityGPerKwh = Array.from({ length: hours }, (_, h) => baseIntensity[baseIndex(h)]);
    marginalIntensityGPerKwh = seriesCut;
  } else {
    // A marginal signal of 0 g/kWh would be a false measurement, so it is kept only when base covers every hour.
    const baseMarginal = baseSite?.marginalIntensityGPerKwh ?? [];
    if (baseMarginal.length > 0 && uncovered.length === 0) marginalIntensityGPerKwh = Array.from({ length: hours }, (_, h) => baseMarginal[baseIndex(h)]);
    else if (baseMarginal.length > 0) warnings.push(`marginal intensity left out: base has it but does not cover ${plural(uncovered.length, 'hour')} (${uncoveredText})`);
  }

  const site: Site = {
    id: options.siteId,
    name: name ?? '',
    timeZone: timeZone ?? '',
    gpuCapacity: gpuCapacity as number,
    pue: pue as number,
    greenSupplyMw,
    carbonIntensityGPerKwh,
    pricePerMwh,
    baseLoadMw,
    // The battery is a fact of the site, like its capacity: kept from the base forecast.
    storage: baseSite?.storage,
    marginalIntensityGPerKwh,
  };
  if (gridImportLimitMw !== undefined) site.gridImportLimitMw = gridImportLimitMw;
  return {
    siteForecast: { name: '', site, start: msToTimestamp(fromMs), version: 0, createTime: undefined, source: series.source },
    warnings,
  };
}

function msToTimestamp(epochMs: number): Timestamp {
  const seconds = Math.floor(epochMs / 1_000);
  return { seconds, nanos: (epochMs - seconds * 1_000) * 1_000_000 };
}

/** `2022-01-01T00:00Z to 2022-01-01T05:00Z and 2022-03-01T00:00Z to ...` for hour indexes (ascending). */
function describeHourRuns(hours: readonly number[], fromMs: number): string {
  const runs: string[] = [];
  for (let i = 0; i < hours.length; ) {
    let j = i;
    while (j + 1 < hours.length && hours[j + 1] === hours[j] + 1) j++;
    const first = formatUtcInstant(fromMs + hours[i] * msPerHour);
    runs.push(i === j ? first : `${first} to ${formatUtcInstant(fromMs + hours[j] * msPerHour)}`);
    i = j + 1;
  }
  return runs.length <= 3 ? runs.join(', ') : `${runs.slice(0, 3).join(', ')}, ... (${runs.length - 3} more runs)`;
}
