import { checkRequiredTimestamp } from '../data/checkRequiredTimestamp.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { formatUtcInstant } from '../data/formatUtcInstant.js';
import { validateSites } from '../data/validateSites.js';
import { ViolationList } from '../data/ViolationList.js';
import type { SiteForecast } from '../generated/cosched/v1/standing_planner_service.js';

const msPerHour = 3_600_000;
const maxForecastHours = 8_784;

/** A forecast that passed validateSiteForecast. */
export interface CheckedForecast {
  siteId: string;
  startMs: number;
  hours: number;
}

/**
 * Checks a forecast to put: `start` a whole UTC hour; the site as in a PlanRequest
 * (validateSites: id, capacity, pue, time zone, hourly values) with `hours` = the length of
 * green_supply_mw (1..8784): carbon_intensity_g_per_kwh must have that length, price_per_mwh and
 * base_load_mw that length or none. A forecast of the wrong length is reported on the array that
 * differs. Violations go to `violations` under `path` (e.g. `siteForecast`), in proto3 JSON names.
 * Returns the facts needed to store it (meaningful only when no violation was added).
 */
export function validateSiteForecast(forecast: SiteForecast | undefined, path: string, violations: ViolationList): CheckedForecast {
  if (!forecast) {
    violations.add(path, 'got nothing; expected a site forecast (site with its hourly arrays, start)');
    return { siteId: '', startMs: 0, hours: 0 };
  }
  const startMs = checkRequiredTimestamp(forecast.start, `${path}.start`, 'start', violations);
  // nanos are checked apart: 100 ns added to a 2026 instant vanish in a double's milliseconds.
  if (startMs !== undefined && (startMs % msPerHour !== 0 || forecast.start?.nanos !== 0)) {
    const got = forecast.start?.nanos === 0 ? formatUtcInstant(startMs) : `${formatUtcInstant(startMs)} plus ${forecast.start?.nanos} ns`;
    violations.add(`${path}.start`, `got ${got}; expected a whole UTC hour${forecast.start?.nanos === 0 ? '' : ', nanos 0,'} (hour 0 of the hourly arrays)`);
  }
  const site = forecast.site;
  if (!site) {
    violations.add(`${path}.site`, 'got nothing; expected the site (id, gpuCapacity, pue, greenSupplyMw, carbonIntensityGPerKwh, ...)');
    return { siteId: '', startMs: startMs ?? 0, hours: 0 };
  }
  const length = Array.isArray(site.greenSupplyMw) ? site.greenSupplyMw.length : 0;
  let hours: number | undefined = length;
  if (length === 0 || length > maxForecastHours) {
    violations.add(
      `${path}.site.greenSupplyMw`,
      `got ${describeJsonValue(site.greenSupplyMw)}; expected 1..${maxForecastHours} hourly values (their count sets the forecast's hours)`,
    );
    hours = undefined;
  }
  const own = new ViolationList();
  validateSites([site], { startMs, hours }, own);
  for (const v of own.items) {
    violations.add(v.field.replace(/^sites\[0\]/, `${path}.site`), v.description.replace('(horizon.hours)', '(the length of greenSupplyMw)'));
  }
  return { siteId: typeof site.id === 'string' ? site.id : '', startMs: startMs ?? 0, hours: hours ?? 0 };
}
