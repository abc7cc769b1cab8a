import type { ForecastScenarioData, SiteData } from '../../solver/problem/Problem.js';
import type { ForecastScenario } from '../generated/cosched/v1/forecast_scenarios.js';
import { checkNumber, numberProblem, type NumberRule } from './checkNumber.js';
import { describeJsonValue } from './describeJsonValue.js';
import { idPattern } from './IdRegistry.js';
import { physicalBounds } from './physicalBounds.js';
import { checkBaseLoadFits } from './validateSites.js';
import type { ViolationList } from './ViolationList.js';

/** At most this many scenarios: each one repeats every site-hour of the model's second stage. */
export const maxForecastScenarios = 100;
/** The probabilities must add up to 1 within this. */
const probabilitySumTolerance = 1e-6;

const rules: Record<'greenSupplyMw' | 'carbonIntensityGPerKwh', NumberRule> = {
  greenSupplyMw: { min: 0, max: physicalBounds.maxPowerMw, unit: 'MW' },
  carbonIntensityGPerKwh: { min: 0, max: physicalBounds.maxCarbonIntensityGPerKwh, unit: 'gCO2eq/kWh' },
};

/**
 * Checks `forecastScenarios` and completes each scenario with the sites' own arrays where it
 * leaves them out. Rules: at most 100 scenarios; each name an id (letters, digits, '_', '-', '.';
 * 1..64 characters), unique; probability in (0, 1], all adding up to 1 within 1e-6; each
 * `sites[]` entry names a known site at most once per scenario; its arrays empty or exactly
 * `hours` values within the site arrays' bounds (element violations capped per array), and the
 * site able to draw its base load under its grid import limit with the scenario's green supply.
 * Violations go to `violations` with paths such as `forecastScenarios[1].sites[0].greenSupplyMw[5]`.
 * Returns undefined when there are no scenarios; the result is meaningful only when no violation
 * was added and the sites and horizon were valid.
 */
export function validateForecastScenarios(
  scenarios: readonly ForecastScenario[] | undefined,
  sites: readonly SiteData[],
  indexById: ReadonlyMap<string, number>,
  hours: number | undefined,
  violations: ViolationList,
): ForecastScenarioData[] | undefined {
  const list: readonly unknown[] = Array.isArray(scenarios) ? scenarios : [];
  if (list.length === 0) return undefined;
  if (list.length > maxForecastScenarios) {
    violations.add('forecastScenarios', `got ${list.length} scenarios; expected at most ${maxForecastScenarios}`);
    return undefined;
  }
  const names = new Map<string, number>();
  let probabilitySum = 0;
  let probabilitiesOk = true;
  const result = list.map((entry, k): ForecastScenarioData => {
    const path = `forecastScenarios[${k}]`;
    const scenario = (entry !== null && typeof entry === 'object' ? entry : {}) as Partial<ForecastScenario>;
    if (entry === null || typeof entry !== 'object') violations.add(path, `got ${describeJsonValue(entry)}; expected a scenario (name, probability, sites)`);
    const name = scenario.name;
    if (typeof name !== 'string' || !idPattern.test(name)) {
      violations.add(`${path}.name`, `got ${describeJsonValue(name)}; expected 1..64 letters, digits, '_', '-' or '.', starting with a letter or digit (e.g. "P10")`);
    } else if (names.has(name)) {
      violations.add(`${path}.name`, `got ${describeJsonValue(name)}, which is already the name of forecastScenarios[${names.get(name)}]; expected a unique name`);
    } else {
      names.set(name, k);
    }
    if (checkNumber(scenario.probability, { min: 0, minExclusive: true, max: 1 }, `${path}.probability`, violations)) {
      probabilitySum += scenario.probability as number;
    } else {
      probabilitiesOk = false;
    }
    const greenSupplyMw = sites.map((site) => site.greenSupplyMw);
    const carbonIntensityGPerKwh = sites.map((site) => site.carbonIntensityGPerKwh);
    const seen = new Map<number, number>();
    if (scenario.sites !== undefined && scenario.sites !== null && !Array.isArray(scenario.sites)) {
      violations.add(`${path}.sites`, `got ${describeJsonValue(scenario.sites)}; expected a list of site forecasts (siteId, greenSupplyMw, carbonIntensityGPerKwh)`);
    }
    const siteEntries: readonly unknown[] = Array.isArray(scenario.sites) ? scenario.sites : [];
    siteEntries.forEach((raw, i) => {
      const sitePath = `${path}.sites[${i}]`;
      const forecast = (raw !== null && typeof raw === 'object' ? raw : {}) as { siteId?: unknown; greenSupplyMw?: unknown; carbonIntensityGPerKwh?: unknown };
      const s = typeof forecast.siteId === 'string' ? indexById.get(forecast.siteId) : undefined;
      if (s === undefined) {
        const known = [...indexById.keys()].slice(0, 10).join(', ');
        violations.add(`${sitePath}.siteId`, `got ${describeJsonValue(forecast.siteId)}; expected the id of a site of the request (${known}${indexById.size > 10 ? ', ...' : ''})`);
      } else if (seen.has(s)) {
        violations.add(`${sitePath}.siteId`, `got ${describeJsonValue(forecast.siteId)}, already given at ${path}.sites[${seen.get(s)}]; expected each site at most once per scenario`);
      } else {
        seen.set(s, i);
      }
      for (const key of ['greenSupplyMw', 'carbonIntensityGPerKwh'] as const) {
        const values = checkArray(forecast[key], `${sitePath}.${key}`, rules[key], hours, violations);
        if (values && values.length > 0 && s !== undefined) (key === 'greenSupplyMw' ? greenSupplyMw : carbonIntensityGPerKwh)[s] = values;
      }
      // The site must be able to draw its base load in this scenario's weather too.
      if (s !== undefined && greenSupplyMw[s] !== sites[s].greenSupplyMw && greenSupplyMw[s].length === sites[s].baseLoadMw.length) {
        const site = sites[s];
        checkBaseLoadFits(site.pue, site.baseLoadMw, greenSupplyMw[s], site.gridImportLimitMw, `${sitePath}.greenSupplyMw`, { startMs: undefined, hours }, violations);
      }
    });
    return { name: typeof name === 'string' ? name : '', probability: scenario.probability as number, greenSupplyMw, carbonIntensityGPerKwh };
  });
  if (probabilitiesOk && Math.abs(probabilitySum - 1) > probabilitySumTolerance) {
    violations.add('forecastScenarios', `got probabilities adding up to ${probabilitySum}; expected them to add up to 1 (within ${probabilitySumTolerance})`);
  }
  return result;
}

/** An hourly array: empty, or `hours` numbers obeying `rule`. Returns a copy, or undefined when not a list. */
function checkArray(values: unknown, path: string, rule: NumberRule, hours: number | undefined, violations: ViolationList): number[] | undefined {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) {
    violations.add(path, `got ${describeJsonValue(values)}; expected a list of ${hours ?? 'horizon.hours'} numbers, or none`);
    return undefined;
  }
  if (values.length === 0) return [];
  if (hours !== undefined && values.length !== hours) {
    violations.add(path, `got ${values.length} value${values.length === 1 ? '' : 's'}; expected ${hours} (horizon.hours) or none`);
  }
  const elements = violations.elements(path);
  for (let t = 0; t < values.length; t++) {
    const problem = numberProblem(values[t], rule);
    if (problem !== undefined) elements.add(t, problem);
  }
  elements.done();
  return [...(values as number[])];
}
