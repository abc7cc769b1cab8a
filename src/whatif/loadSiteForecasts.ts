import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';
import { numberProblem, type NumberRule } from '../data/checkNumber.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { parseScenarioText } from '../data/parseScenarioText.js';
import { ViolationList } from '../data/ViolationList.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { ReplaceForecasts, type SiteForecasts } from '../generated/cosched/v1/what_if.js';
import { checkWhatIfJson, replaceForecastsTypeName } from './checkWhatIfJson.js';
import { unknownIdMessage } from './selectJobs.js';

/** Reads a whole text file; the CLI passes one (paths as written, relative to its working directory). */
export type ReadTextFile = (path: string) => string;

const arrayRules = {
  greenSupplyMw: { min: 0, unit: 'MW' },
  carbonIntensityGPerKwh: { min: 0, unit: 'gCO2eq/kWh' },
  pricePerMwh: { unit: 'per MWh', note: 'negative prices are allowed' },
  marginalIntensityGPerKwh: { min: 0, unit: 'gCO2/kWh' },
} satisfies Record<string, NumberRule>;

/**
 * The forecasts a ReplaceForecasts override brings, checked against `request`, or undefined after
 * adding every violation under `path` (the override's path, `...replaceForecasts`).
 *
 * Exactly one of `sites` and `file` must be given. A file is read with `readFile` (only the CLI
 * and scenario-file callers pass one; over gRPC a file is refused), parsed like a scenario file
 * (YAML or JSON) and checked against ReplaceForecasts without its `file` field; its violations are
 * reported on `path.file`, naming the file and the path inside it.
 *
 * Each SiteForecasts must name an existing site, at most once per override, and give at least
 * one array; a non-empty array must have `horizon.hours` values (unchecked when the request has
 * no horizon), finite, and >= 0 except prices.
 */
export function loadSiteForecasts(
  change: ReplaceForecasts,
  path: string,
  request: PlanRequest,
  readFile: ReadTextFile | undefined,
  violations: ViolationList,
): SiteForecasts[] | undefined {
  const hasSites = change.sites.length > 0;
  const hasFile = change.file !== '';
  if (hasSites && hasFile) {
    violations.add(path, `sets both sites (${change.sites.length}) and file ${describeJsonValue(change.file)}; expected one of them`);
    return undefined;
  }
  if (!hasSites && !hasFile) {
    violations.add(`${path}.sites`, 'got an empty list and no file; expected forecasts for at least one site, or a file of them');
    return undefined;
  }
  if (hasSites) {
    const problems = siteForecastsProblems(change.sites, request);
    for (const problem of problems) violations.add(`${path}.${problem.field}`, problem.description);
    return problems.length === 0 ? change.sites : undefined;
  }

  const filePath = `${path}.file`;
  const report = (description: string) => violations.add(filePath, description);
  if (readFile === undefined) {
    report(`got ${describeJsonValue(change.file)}; a forecasts file can be read only by the CLI; give sites (SiteForecasts) instead`);
    return undefined;
  }
  let tree: unknown;
  try {
    tree = parseScenarioText(readFile(change.file), change.file);
  } catch (error) {
    if (error instanceof CoschedError) report(error.message);
    else report(`cannot read ${describeJsonValue(change.file)}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const problems = checkWhatIfJson(tree, replaceForecastsTypeName);
  if (typeof tree === 'object' && tree !== null && 'file' in tree) {
    problems.push({ field: 'file', description: 'a forecasts file cannot name another file; expected only sites' });
  }
  let sites: SiteForecasts[] = [];
  if (problems.length === 0) {
    sites = ReplaceForecasts.fromJSON(tree).sites;
    if (sites.length === 0) problems.push({ field: 'sites', description: 'got nothing; expected forecasts for at least one site' });
    else problems.push(...siteForecastsProblems(sites, request));
  }
  for (const problem of problems) report(`${change.file}: ${problem.field}: ${problem.description}`);
  return problems.length === 0 ? sites : undefined;
}

/** Violations of a list of SiteForecasts, with paths `sites[k]...`. */
function siteForecastsProblems(list: readonly SiteForecasts[], request: PlanRequest): FieldViolation[] {
  const violations = new ViolationList();
  const siteIds = request.sites.map((site) => site.id);
  const hours = request.horizon?.hours;
  const seen = new Map<string, number>();
  list.forEach((forecasts, k) => {
    const path = `sites[${k}]`;
    const earlier = seen.get(forecasts.siteId);
    if (!siteIds.includes(forecasts.siteId)) violations.add(`${path}.siteId`, unknownIdMessage(forecasts.siteId, 'site', siteIds));
    else if (earlier !== undefined) violations.add(`${path}.siteId`, `got ${describeJsonValue(forecasts.siteId)} again (already sites[${earlier}]); expected each site at most once`);
    else seen.set(forecasts.siteId, k);
    const given = (Object.keys(arrayRules) as Array<keyof typeof arrayRules>).filter((name) => forecasts[name].length > 0);
    if (given.length === 0) {
      violations.add(path, `gives no forecasts; expected at least one of ${Object.keys(arrayRules).join(', ')}`);
    }
    for (const name of given) {
      const values = forecasts[name];
      if (typeof hours === 'number' && values.length !== hours) {
        violations.add(`${path}.${name}`, `got ${values.length} values; expected ${hours} (horizon.hours), or none to keep the site's own`);
        continue;
      }
      const elements = violations.elements(`${path}.${name}`);
      values.forEach((value, t) => {
        const problem = numberProblem(value, arrayRules[name]);
        if (problem !== undefined) elements.add(t, problem);
      });
      elements.done();
    }
  });
  return violations.items;
}
