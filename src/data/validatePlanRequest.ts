import { CoschedError } from '../../solver/errors/CoschedError.js';
import { defaultSolveOptions, type ObjectiveWeights, type Problem, type SolveOptions } from '../../solver/problem/Problem.js';
import { Solver, solverToJSON, type Horizon, type Objective, type PlanOptions, type PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { RiskMeasure, riskMeasureToJSON } from '../generated/cosched/v1/forecast_scenarios.js';
import { checkNumber } from './checkNumber.js';
import { checkRequiredTimestamp } from './checkRequiredTimestamp.js';
import { describeJsonValue } from './describeJsonValue.js';
import { formatUtcInstant } from './formatUtcInstant.js';
import { physicalBounds } from './physicalBounds.js';
import { validateForecastScenarios } from './validateForecastScenarios.js';
import { validateJobs } from './validateJobs.js';
import { validateLinks } from './validateLinks.js';
import { validateSites, type HorizonFacts } from './validateSites.js';
import { ViolationList } from './ViolationList.js';

const msPerHour = 3_600_000;
const maxHorizonHours = 8_784;
const maxTimeLimitSeconds = 86_400;

const solverByEnum = new Map<number, SolveOptions['solver']>([
  [Solver.SOLVER_UNSPECIFIED, defaultSolveOptions.solver],
  [Solver.SOLVER_HIGHS, 'highs'],
  [Solver.SOLVER_JSLP, 'jslp'],
]);

/**
 * Checks a PlanRequest against the semantic rules of proto/cosched/v1/plan_request.proto and
 * turns it into the solver's Problem. Every violation is collected before anything is thrown, so
 * the caller sees all bad fields at once, each with its path (proto3 JSON names), the value
 * received and what is allowed.
 *
 * Works on any PlanRequest, whether from a scenario file (after checkJsonAgainstSchema) or
 * decoded from gRPC binary: NaN, ±Infinity, fractional integers, unknown enum numbers and
 * malformed Timestamps are all reported rather than trusted.
 *
 * Rules: horizon required, its start on a whole UTC hour, its hours an integer 1..8784; sites and
 * jobs as in validateSites and validateJobs; links as in validateLinks; forecastScenarios as in validateForecastScenarios;
 * objective weights in [0, 1e6], not both 0, riskMeasure a known value, cvarAlpha in [0, 1) and
 * set only with RISK_MEASURE_CVAR;
 * options.timeLimitSeconds 0..86400, mipGap in [0, 1), solver a known value, integerGpus a boolean; options.explain a
 * bool (only `true` reaches the Problem).
 *
 * Defaults: no objective, or unset carbonWeight, means carbonWeight 1 (costWeight defaults to 0);
 * timeLimitSeconds 0 and mipGap 0 mean the defaultSolveOptions values; SOLVER_UNSPECIFIED means
 * HiGHS. A job whose window is empty after clipping to the horizon is not an error (see
 * validateJobs).
 *
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_PLAN_REQUEST) listing every violation.
 */
export function validatePlanRequest(request: PlanRequest): Problem {
  const violations = new ViolationList();
  const horizon = checkHorizon(request.horizon, violations);
  const sites = validateSites(request.sites, horizon, violations);
  const jobs = validateJobs(request.jobs, sites, horizon, violations);
  const links = validateLinks(request.links, sites, jobs, violations);
  const scenarios = validateForecastScenarios(request.forecastScenarios, sites.sites, sites.indexById, horizon.hours, violations);
  const objective = checkObjective(request.objective, violations);
  if (objective.risk && objective.risk.kind !== 'expected' && !scenarios) {
    violations.add(
      'objective.riskMeasure',
      `got ${objective.risk.kind === 'worst' ? 'RISK_MEASURE_WORST_CASE' : 'RISK_MEASURE_CVAR'} without forecastScenarios; expected forecastScenarios to take it over (or RISK_MEASURE_UNSPECIFIED / RISK_MEASURE_EXPECTED)`,
    );
  }
  const options = checkOptions(request.options, violations);
  if (violations.length === 0) checkHourlyRates(sites.sites, objective, violations, scenarios);
  if (violations.length > 0) throw CoschedError.invalid(violations.items);
  return {
    horizonStartMs: horizon.startMs as number,
    hours: horizon.hours as number,
    sites: sites.sites,
    jobs,
    objective,
    options,
    ...(scenarios ? { scenarios } : {}),
    ...(links.length > 0 ? { links } : {}),
  };
}

/**
 * The model prices grid energy at carbonWeight × carbonIntensity + costWeight × price per MWh.
 * A negative rate (a negative price outweighing carbon) would make importing more than the
 * facility needs look profitable, which the accounting (grid = F − green used) cannot express,
 * so such hours are rejected rather than planned wrongly.
 */
function checkHourlyRates(sites: Problem['sites'], objective: ObjectiveWeights, violations: ViolationList, scenarios: Problem['scenarios']): void {
  sites.forEach((site, i) => {
    let reported = 0;
    const intensities = [site.carbonIntensityGPerKwh, ...(scenarios ?? []).map((scenario) => scenario.carbonIntensityGPerKwh[i])];
    for (let t = 0; t < site.pricePerMwh.length; t++) {
      const lowest = Math.min(...intensities.map((values) => values[t]));
      const rate = objective.carbonWeight * lowest + objective.costWeight * site.pricePerMwh[t];
      if (rate >= 0) continue;
      if (reported++ < 20) {
        const where = lowest === site.carbonIntensityGPerKwh[t] ? '' : ` (with the lowest intensity of the forecast scenarios, ${lowest})`;
        violations.add(
          `sites[${i}].pricePerMwh[${t}]`,
          `got ${site.pricePerMwh[t]}; with costWeight ${objective.costWeight} and carbonWeight ${objective.carbonWeight} the hour's rate is ${rate}${where}, expected >= 0 (negative net rates are not supported)`,
        );
      }
    }
  });
}

function checkHorizon(horizon: Horizon | undefined, violations: ViolationList): HorizonFacts {
  if (horizon === undefined || horizon === null) {
    violations.add('horizon', 'got nothing; horizon is required: expected start and hours');
    return { startMs: undefined, hours: undefined };
  }
  let startMs = checkRequiredTimestamp(horizon.start, 'horizon.start', 'horizon.start', violations);
  // nanos are checked apart: 100 ns added to a 2026 instant vanish in a double's milliseconds.
  if (startMs !== undefined && (startMs % msPerHour !== 0 || horizon.start?.nanos !== 0)) {
    const earlierHour = Math.floor(startMs / msPerHour) * msPerHour;
    const got = horizon.start?.nanos === 0 ? formatUtcInstant(startMs) : `${formatUtcInstant(startMs)} plus ${horizon.start?.nanos} ns`;
    const wanted = horizon.start?.nanos === 0 ? 'a whole UTC hour' : 'a whole UTC hour, nanos 0,';
    violations.add('horizon.start', `got ${got}; expected ${wanted} such as ${formatUtcInstant(earlierHour)}`);
    startMs = undefined;
  }
  const hoursOk = checkNumber(horizon.hours, { integer: true, min: 1, max: maxHorizonHours }, 'horizon.hours', violations);
  return { startMs, hours: hoursOk ? horizon.hours : undefined };
}

function checkObjective(objective: Objective | undefined, violations: ViolationList): ObjectiveWeights {
  if (objective === undefined || objective === null) return { carbonWeight: 1, costWeight: 0 };
  const carbonSet = objective.carbonWeight !== undefined && objective.carbonWeight !== null;
  const carbonOk = !carbonSet || checkNumber(objective.carbonWeight, { min: 0, max: physicalBounds.maxObjectiveWeight }, 'objective.carbonWeight', violations);
  const costWeight = objective.costWeight ?? 0;
  const costOk = checkNumber(costWeight, { min: 0, max: physicalBounds.maxObjectiveWeight }, 'objective.costWeight', violations);
  const carbonWeight = carbonSet ? (objective.carbonWeight as number) : 1;
  if (carbonOk && costOk && carbonWeight === 0 && costWeight === 0) {
    violations.add('objective', 'got carbonWeight 0 and costWeight 0; expected at least one weight > 0');
  }
  const risk = checkRiskMeasure(objective, violations);
  return { carbonWeight, costWeight, ...(risk ? { risk } : {}) };
}

/** The risk measure over forecast scenarios; undefined for the default (expected value). */
function checkRiskMeasure(objective: Objective, violations: ViolationList): ObjectiveWeights['risk'] {
  const measure = objective.riskMeasure ?? RiskMeasure.RISK_MEASURE_UNSPECIFIED;
  const alpha = objective.cvarAlpha ?? 0;
  const alphaOk = checkNumber(alpha, { min: 0, max: 1, maxExclusive: true, note: '0 means 0.9' }, 'objective.cvarAlpha', violations);
  if (alpha !== 0 && alphaOk && measure !== RiskMeasure.RISK_MEASURE_CVAR) {
    violations.add('objective.cvarAlpha', `got ${alpha} with riskMeasure ${riskMeasureToJSON(measure)}; expected 0 (unset) unless riskMeasure is RISK_MEASURE_CVAR`);
  }
  switch (measure) {
    case RiskMeasure.RISK_MEASURE_UNSPECIFIED:
      return undefined;
    case RiskMeasure.RISK_MEASURE_EXPECTED:
      return { kind: 'expected' };
    case RiskMeasure.RISK_MEASURE_WORST_CASE:
      return { kind: 'worst' };
    case RiskMeasure.RISK_MEASURE_CVAR:
      return { kind: 'cvar', alpha: alpha === 0 ? defaultCvarAlpha : alpha };
    default: {
      const known = [RiskMeasure.RISK_MEASURE_UNSPECIFIED, RiskMeasure.RISK_MEASURE_EXPECTED, RiskMeasure.RISK_MEASURE_WORST_CASE, RiskMeasure.RISK_MEASURE_CVAR].map(riskMeasureToJSON).join(', ');
      violations.add('objective.riskMeasure', `got ${describeJsonValue(measure)}; expected one of ${known}`);
      return undefined;
    }
  }
}

/** CVaR level when a request asks for CVaR without one: the worst 10%. */
export const defaultCvarAlpha = 0.9;

function checkOptions(options: PlanOptions | undefined, violations: ViolationList): SolveOptions {
  if (options === undefined || options === null) return { ...defaultSolveOptions };
  const timeLimitSeconds = options.timeLimitSeconds ?? 0;
  checkNumber(
    timeLimitSeconds,
    { min: 0, max: maxTimeLimitSeconds, unit: 'seconds', note: `0 means ${defaultSolveOptions.timeLimitSeconds}` },
    'options.timeLimitSeconds',
    violations,
  );
  const mipGap = options.mipGap ?? 0;
  checkNumber(mipGap, { min: 0, max: 1, maxExclusive: true, note: `0 means ${defaultSolveOptions.mipGap}` }, 'options.mipGap', violations);
  const solver = solverByEnum.get(options.solver ?? Solver.SOLVER_UNSPECIFIED);
  if (solver === undefined) {
    const known = [...solverByEnum.keys()].map((value) => solverToJSON(value)).join(', ');
    violations.add('options.solver', `got ${describeJsonValue(options.solver)}; expected one of ${known}`);
  }
  for (const key of ['integerGpus', 'explain'] as const) {
    if (options[key] !== undefined && options[key] !== null && typeof options[key] !== 'boolean') {
      violations.add(`options.${key}`, `got ${describeJsonValue(options[key])}; expected true or false`);
    }
  }
  return {
    ...(options.integerGpus === true ? { integerGpus: true } : {}),
    timeLimitSeconds: timeLimitSeconds === 0 ? defaultSolveOptions.timeLimitSeconds : timeLimitSeconds,
    mipGap: mipGap === 0 ? defaultSolveOptions.mipGap : mipGap,
    solver: solver ?? defaultSolveOptions.solver,
    // Only when asked: a request without it validates to exactly the Problem it always did.
    ...(options.explain === true ? { explain: true } : {}),
  };
}
