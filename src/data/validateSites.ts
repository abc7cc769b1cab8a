import type { SiteData } from '../../solver/problem/Problem.js';
import type { Site } from '../generated/cosched/v1/plan_request.js';
import { IdRegistry } from './IdRegistry.js';
import { checkNumber, numberProblem, type NumberRule } from './checkNumber.js';
import { describeJsonValue } from './describeJsonValue.js';
import { formatUtcInstant } from './formatUtcInstant.js';
import { physicalBounds } from './physicalBounds.js';
import { validateStorage } from './validateStorage.js';
import type { ViolationList } from './ViolationList.js';
import { isIanaTimeZone } from './isIanaTimeZone.js';

/** What validateSites knows of the horizon; a part is undefined when the horizon is invalid. */
export interface HorizonFacts {
  startMs: number | undefined;
  hours: number | undefined;
}

/** The validated sites and where each id sits. */
export interface ValidatedSites {
  /** Meaningful only when no violation was added. */
  sites: SiteData[];
  /** Index of each well-formed site id (its first occurrence). */
  indexById: Map<string, number>;
}

interface HourlyRule {
  required: boolean;
  number: NumberRule;
}

const hourlyRules = {
  greenSupplyMw: { required: true, number: { min: 0, max: physicalBounds.maxPowerMw, unit: 'MW' } },
  carbonIntensityGPerKwh: { required: true, number: { min: 0, max: physicalBounds.maxCarbonIntensityGPerKwh, unit: 'gCO2eq/kWh' } },
  pricePerMwh: {
    required: false,
    number: { min: -physicalBounds.maxAbsPricePerMwh, max: physicalBounds.maxAbsPricePerMwh, unit: 'per MWh', note: 'negative prices are allowed' },
  },
  baseLoadMw: { required: false, number: { min: 0, max: physicalBounds.maxPowerMw, unit: 'MW' } },
  marginalIntensityGPerKwh: { required: false, number: { min: 0, max: physicalBounds.maxMarginalIntensityGPerKwh, unit: 'gCO2/kWh' } },
} satisfies Record<string, HourlyRule>;

// Base load may exceed the supply by rounding noise before it counts as infeasible.
const feasibilityTolerance = 1e-9;

/**
 * Checks the request's sites and converts them to SiteData, adding every violation to
 * `violations` in request order: at least one site; ids (see IdRegistry); timeZone a valid IANA
 * zone or empty (meaning UTC); gpuCapacity an integer 0..1e6; pue in [1, 10] (0, i.e. unset, is
 * reported as missing); greenSupplyMw (MW) and carbonIntensityGPerKwh exactly `hours` values in
 * [0, 1e6] and [0, 1e4]; pricePerMwh (in [-1e6, 1e6]) and baseLoadMw (in [0, 1e6]) empty or
 * exactly `hours` values; gridImportLimitMw, if set, in [0, 1e6] (bounds: physicalBounds); storage,
 * if set, as validateStorage says. marginalIntensityGPerKwh (in [0, 1e4]) empty or exactly
 * `hours` values, and either every site gives it or none does: in a mixed request each site
 * without it is reported on `sites[i].marginalIntensityGPerKwh`, naming the sites that give it.
 * Element violations are capped at 20 per
 * array. A base load the site cannot draw even alone (pue x baseLoadMw[t] > greenSupplyMw[t] +
 * gridImportLimitMw, beyond a 1e-9 relative tolerance) is reported on `sites[i].baseLoadMw[t]`.
 *
 * Lengths are not checked when `horizon.hours` is unknown (the horizon violation says why).
 * Conversion: empty name -> id, empty timeZone -> "UTC", absent price/base load -> zeros, unset
 * import limit -> Infinity, absent marginal intensity -> undefined; arrays are copied. Safe on any input, e.g. one decoded from gRPC.
 */
export function validateSites(sites: readonly Site[], horizon: HorizonFacts, violations: ViolationList): ValidatedSites {
  const list: readonly unknown[] = Array.isArray(sites) ? sites : [];
  if (list.length === 0) violations.add('sites', `got ${describeJsonValue(sites)}; expected at least one site`);
  const records = list.map((site, i) => {
    if (site !== null && typeof site === 'object') return site as Partial<Site>;
    violations.add(`sites[${i}]`, `got ${describeJsonValue(site)}; expected a site`);
    return {} as Partial<Site>;
  });
  const ids = new IdRegistry((i) => `sites[${i}]`, violations);
  const converted = records.map((site, i) => {
    ids.check(site.id, i);
    return validateSite(site, `sites[${i}]`, horizon, violations);
  });
  checkMarginalEverywhereOrNowhere(records, violations);
  return { sites: converted, indexById: ids.indexById };
}

/**
 * Marginal emissions are summed over all sites, so a total over some sites only would be
 * misleading: the marginal signal is given for every site or for none.
 */
function checkMarginalEverywhereOrNowhere(records: readonly Partial<Site>[], violations: ViolationList): void {
  const gives = (site: Partial<Site>) => Array.isArray(site.marginalIntensityGPerKwh) && site.marginalIntensityGPerKwh.length > 0;
  const giving = records.flatMap((site, i) => (gives(site) ? [i] : []));
  if (giving.length === 0 || giving.length === records.length) return;
  const names = giving.map((i) => (typeof records[i].id === 'string' ? describeJsonValue(records[i].id) : `sites[${i}]`));
  const shown = names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
  records.forEach((site, i) => {
    if (gives(site)) return;
    violations.add(
      `sites[${i}].marginalIntensityGPerKwh`,
      `got none, but ${giving.length === 1 ? 'site' : 'sites'} ${shown} ${giving.length === 1 ? 'gives' : 'give'} a marginal signal; ` +
        'expected one for every site (horizon.hours values, gCO2/kWh) or for none',
    );
  });
}

function validateSite(site: Partial<Site>, path: string, horizon: HorizonFacts, violations: ViolationList): SiteData {
  const id = typeof site.id === 'string' ? site.id : '';
  const name = site.name;
  if (name !== undefined && typeof name !== 'string') violations.add(`${path}.name`, `got ${describeJsonValue(name)}; expected a string`);
  const timeZone = site.timeZone ?? '';
  if (typeof timeZone !== 'string' || (timeZone !== '' && !isIanaTimeZone(timeZone))) {
    violations.add(`${path}.timeZone`, `got ${describeJsonValue(timeZone)}; expected an IANA time zone such as "Asia/Shanghai", or empty for UTC`);
  }
  checkNumber(site.gpuCapacity, { integer: true, min: 0, max: physicalBounds.maxGpus }, `${path}.gpuCapacity`, violations);
  const pueOk = checkPue(site.pue, `${path}.pue`, violations);
  const limitSet = site.gridImportLimitMw !== undefined && site.gridImportLimitMw !== null;
  const limitOk = !limitSet || checkNumber(site.gridImportLimitMw, { min: 0, max: physicalBounds.maxPowerMw, unit: 'MW' }, `${path}.gridImportLimitMw`, violations);

  const hourly = {
    greenSupplyMw: checkHourly(site.greenSupplyMw, `${path}.greenSupplyMw`, hourlyRules.greenSupplyMw, horizon, violations),
    carbonIntensityGPerKwh: checkHourly(site.carbonIntensityGPerKwh, `${path}.carbonIntensityGPerKwh`, hourlyRules.carbonIntensityGPerKwh, horizon, violations),
    pricePerMwh: checkHourly(site.pricePerMwh, `${path}.pricePerMwh`, hourlyRules.pricePerMwh, horizon, violations),
    baseLoadMw: checkHourly(site.baseLoadMw, `${path}.baseLoadMw`, hourlyRules.baseLoadMw, horizon, violations),
    marginalIntensityGPerKwh: checkHourly(site.marginalIntensityGPerKwh, `${path}.marginalIntensityGPerKwh`, hourlyRules.marginalIntensityGPerKwh, horizon, violations),
  };
  const gridImportLimitMw = limitSet ? (site.gridImportLimitMw as number) : Infinity;
  if (pueOk && limitOk && hourly.greenSupplyMw.ok && hourly.baseLoadMw.ok && hourly.baseLoadMw.values.length > 0) {
    checkBaseLoadFits(site.pue as number, hourly.baseLoadMw.values, hourly.greenSupplyMw.values, gridImportLimitMw, `${path}.baseLoadMw`, horizon, violations);
  }

  const storage = validateStorage(site.storage, `${path}.storage`, violations);
  const zeros = () => Array.from({ length: horizon.hours ?? 0 }, () => 0);
  return {
    id,
    name: typeof name === 'string' && name !== '' ? name : id,
    timeZone: typeof timeZone === 'string' && timeZone !== '' ? timeZone : 'UTC',
    gpuCapacity: site.gpuCapacity as number,
    pue: site.pue as number,
    greenSupplyMw: hourly.greenSupplyMw.values,
    carbonIntensityGPerKwh: hourly.carbonIntensityGPerKwh.values,
    pricePerMwh: hourly.pricePerMwh.values.length > 0 ? hourly.pricePerMwh.values : zeros(),
    baseLoadMw: hourly.baseLoadMw.values.length > 0 ? hourly.baseLoadMw.values : zeros(),
    gridImportLimitMw,
    ...(storage ? { storage } : {}),
    ...(hourly.marginalIntensityGPerKwh.values.length > 0 ? { marginalIntensityGPerKwh: hourly.marginalIntensityGPerKwh.values } : {}),
  };
}

/** pue 0 is what an unset pue decodes to, so it is reported as missing rather than as too small. */
function checkPue(pue: unknown, path: string, violations: ViolationList): boolean {
  if (pue === 0 || pue === undefined) {
    violations.add(path, `got ${describeJsonValue(pue)} (unset); pue is required: expected a number in [1, ${physicalBounds.maxPue}]`);
    return false;
  }
  return checkNumber(pue, { min: 1, max: physicalBounds.maxPue }, path, violations);
}

/**
 * Checks one hourly array; `ok` when it is a list of good numbers of the right length (known),
 * or an allowed empty list. `values` is a copy (empty when not a list).
 */
function checkHourly(values: unknown, path: string, rule: HourlyRule, horizon: HorizonFacts, violations: ViolationList): { ok: boolean; values: number[] } {
  const { hours } = horizon;
  if (values === undefined || values === null) values = [];
  if (!Array.isArray(values)) {
    violations.add(path, `got ${describeJsonValue(values)}; expected a list of ${hours ?? 'horizon.hours'} numbers`);
    return { ok: false, values: [] };
  }
  let ok = true;
  if (hours !== undefined && values.length !== hours && (rule.required || values.length > 0)) {
    violations.add(path, `got ${values.length} value${values.length === 1 ? '' : 's'}; expected ${hours} (horizon.hours)${rule.required ? '' : ' or none'}`);
    ok = false;
  }
  if (hours === undefined) ok = false;
  const elements = violations.elements(path);
  // A plain loop, not forEach, so holes in a hand-built array are reported too.
  for (let t = 0; t < values.length; t++) {
    const problem = numberProblem(values[t], rule.number);
    if (problem !== undefined) {
      elements.add(t, problem);
      ok = false;
    }
  }
  elements.done();
  return { ok, values: [...(values as number[])] };
}

/**
 * Reports, on `path[t]`, every hour whose base load the site cannot draw even alone:
 * pue × baseLoadMw[t] > greenSupplyMw[t] + gridImportLimitMw (beyond a 1e-9 relative tolerance).
 * Nothing to check without an import limit.
 */
export function checkBaseLoadFits(
  pue: number,
  baseLoadMw: readonly number[],
  greenSupplyMw: readonly number[],
  gridImportLimitMw: number,
  path: string,
  horizon: HorizonFacts,
  violations: ViolationList,
): void {
  if (gridImportLimitMw === Infinity) return;
  const elements = violations.elements(path);
  baseLoadMw.forEach((load, t) => {
    const availableMw = greenSupplyMw[t] + gridImportLimitMw;
    if (pue * load <= availableMw * (1 + feasibilityTolerance) + feasibilityTolerance) return;
    const when = horizon.startMs === undefined ? `hour ${t}` : `hour ${t} (${formatUtcInstant(horizon.startMs + t * 3_600_000)})`;
    elements.add(
      t,
      `got ${load} MW, which takes ${round(pue * load)} MW with pue ${pue}; expected at most ${round(availableMw / pue)} MW: ` +
        `at ${when} the site can draw only green supply ${greenSupplyMw[t]} MW + grid import limit ${gridImportLimitMw} MW = ${round(availableMw)} MW`,
    );
  });
  elements.done();
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}
