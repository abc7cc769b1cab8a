import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, Schedule, ScenarioOutcome, ScenarioReport, StorageDispatch } from './PlanResult.js';
import type { TerminationCondition } from '../solve/SolveOutcome.js';
import { accountSchedule } from '../accounting/accountSchedule.js';
import { conditionalValueAtRisk } from '../accounting/conditionalValueAtRisk.js';
import { expectedSchedule } from '../accounting/expectedSchedule.js';
import { dispatchSelfConsumption } from '../baseline/dispatchSelfConsumption.js';
import { scenarioProblem } from '../problem/scenarioProblem.js';
import { explainUnmet } from './explainUnmet.js';

/** CVaR level reported when the plan did not minimise CVaR: the worst 10%. */
const reportedCvarLevel = 0.9;

/**
 * Accounts the plan and the baseline in every forecast scenario of `problem` (which has some):
 * the same jobs in each, the plan's batteries as `dispatchOf(k)` dispatched them in scenario k,
 * the baseline's for self-consumption in that scenario's weather. Returns the expected schedules
 * (probability-weighted means; the plan's jobs with their unmet work explained) and the report
 * per scenario with expected, worst and CVaR emissions of plan and baseline. Without `jobs` (no
 * schedule) there is no plan and the plan's figures are 0. Pure.
 */
export function accountScenarios(
  problem: Problem,
  jobs: JobOutcome[] | undefined,
  dispatchOf: ((k: number) => (StorageDispatch | undefined)[]) | undefined,
  baselineJobs: JobOutcome[],
  termination: TerminationCondition,
): { plan?: Schedule; baseline: Schedule; report: ScenarioReport } {
  const scenarios = problem.scenarios ?? [];
  if (scenarios.length === 0) throw new Error('accountScenarios: the problem has no forecast scenarios');
  const probabilities = scenarios.map((scenario) => scenario.probability);
  const outcomes: ScenarioOutcome[] = scenarios.map((scenario, k) => {
    const inScenario = scenarioProblem(problem, k);
    return {
      name: scenario.name,
      probability: scenario.probability,
      plan: jobs ? accountSchedule(inScenario, jobs, dispatchOf?.(k) ?? []) : undefined,
      baseline: accountSchedule(inScenario, baselineJobs, dispatchSelfConsumption(inScenario, baselineJobs)),
    };
  });
  const baseline = expectedSchedule(
    outcomes.map((o) => o.baseline),
    probabilities,
  );
  let plan: Schedule | undefined;
  if (jobs) {
    const mean = expectedSchedule(
      outcomes.map((o) => o.plan as Schedule),
      probabilities,
    );
    const explained = explainUnmet(problem, mean, termination);
    plan = { ...mean, jobs: explained };
    for (const outcome of outcomes) if (outcome.plan) outcome.plan = { ...outcome.plan, jobs: explained };
  }
  const risk = problem.objective.risk;
  const cvarAlpha = risk?.kind === 'cvar' ? risk.alpha : 0;
  const cvarLevel = risk?.kind === 'cvar' ? risk.alpha : reportedCvarLevel;
  const planKg = outcomes.map((o) => o.plan?.totals.emissionsKg ?? 0);
  const baselineKg = outcomes.map((o) => o.baseline.totals.emissionsKg);
  const report: ScenarioReport = {
    riskMeasure: risk?.kind ?? 'expected',
    cvarAlpha,
    outcomes,
    expectedEmissionsKg: plan?.totals.emissionsKg ?? 0,
    baselineExpectedEmissionsKg: baseline.totals.emissionsKg,
    worstEmissionsKg: Math.max(...planKg),
    baselineWorstEmissionsKg: Math.max(...baselineKg),
    cvarEmissionsKg: conditionalValueAtRisk(planKg, probabilities, cvarLevel),
    baselineCvarEmissionsKg: conditionalValueAtRisk(baselineKg, probabilities, cvarLevel),
    cvarLevel,
  };
  return { plan, baseline, report };
}
