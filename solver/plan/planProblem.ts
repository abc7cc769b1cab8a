import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, PlanResult, PlanSummary, ScenarioReport, Schedule, SolveInfo } from './PlanResult.js';
import { accountScenarios } from './accountScenarios.js';
import type { PlanCallbacks } from './PlanCallbacks.js';
import type { SolveOutcome } from '../solve/SolveOutcome.js';
import { accountSchedule } from '../accounting/accountSchedule.js';
import { zeroEnergyTotals } from '../accounting/zeroEnergyTotals.js';
import { runBaseline } from '../baseline/runBaseline.js';
import { dispatchSelfConsumption } from '../baseline/dispatchSelfConsumption.js';
import { buildModel, defaultUnmetPenalty, type BuiltModel, type ModelStage } from '../model/buildModel.js';
import { decodeSolution } from '../model/decodeSolution.js';
import { decodeStorage } from '../model/decodeStorage.js';
import { jobShape, workTolerance } from '../model/jobShape.js';
import { modelSize } from '../model/LinearModel.js';
import { solveModel } from '../solve/solveModel.js';
import { checkPlanResult } from '../check/checkPlanResult.js';
import { CoschedError } from '../errors/CoschedError.js';
import { explainUnmet } from './explainUnmet.js';
import { explainDuals, unavailableExplanation } from './explainDuals.js';
import type { Explanation } from './Explanation.js';
import { planWarnings } from './planWarnings.js';

/**
 * Plans `problem`: the carbon-unaware baseline, the optimal schedule, their accounts, the
 * comparison, and the independent check.
 *
 * Unmet work is minimised first, then the objective: the first solve penalises unmet work; if
 * any job then misses more than its window can never hold, unmet work is minimised exactly and the
 * objective is re-optimised with total unmet work capped at that minimum (up to three solves, all
 * inside the one time limit).
 *
 * Never throws for a valid problem's solver outcome: time limits, cancellation and solver failure
 * come back as `termination` (with no plan when there is no feasible schedule). Throws a
 * CoschedError INTERNAL if the independent checker rejects the result: that is a bug.
 */
export async function planProblem(problem: Problem, callbacks: PlanCallbacks = {}): Promise<PlanResult> {
  const startedMs = performance.now();
  const deadlineMs = startedMs + problem.options.timeLimitSeconds * 1000;
  const baselineJobs = runBaseline(problem);

  let stageNumber = 0;
  let buildMs = 0;
  const solveStage = async (stage: ModelStage): Promise<{ built: BuiltModel; outcome: SolveOutcome }> => {
    stageNumber++;
    const buildStarted = performance.now();
    // The greedy start is for HiGHS; javascript-lp-solver cannot use one.
    const built = buildModel(problem, stage, { start: problem.options.solver === 'highs' });
    const stageBuildMs = performance.now() - buildStarted;
    buildMs += stageBuildMs;
    const size = modelSize(built.model);
    callbacks.onEvent?.({ kind: 'model_built', ...size, buildMs: stageBuildMs, stage: stageNumber });
    const thisStage = stageNumber;
    const solve = callbacks.solve ?? solveModel;
    const outcome = await solve(built.model, problem.options.solver, {
      timeLimitSeconds: Math.max(0.001, (deadlineMs - performance.now()) / 1000),
      mipGap: problem.options.mipGap,
      signal: callbacks.signal,
      duals: problem.options.explain === true,
      // Only when someone listens: HiGHS's progress callbacks cost time (about 4 s of the 31 s that
      // the week-ahead LP's 41,000 simplex iterations take).
      onProgress: callbacks.onEvent ? (progress) => callbacks.onEvent?.({ kind: 'solver_progress', stage: thisStage, progress }) : undefined,
    });
    callbacks.onEvent?.({ kind: 'solved', stage: thisStage, termination: outcome.termination, solveMs: outcome.solveMs });
    return { built, outcome };
  };

  const outcomes: SolveOutcome[] = [];
  let final = await solveStage({ kind: 'weighted', unmetPenalty: defaultUnmetPenalty(problem) });
  outcomes.push(final.outcome);
  let jobs = final.outcome.values ? decodeSolution(problem, final.built, final.outcome.values) : undefined;

  const enoughTimeLeft = () => deadlineMs - performance.now() >= 1_000;
  const usable = final.outcome.termination === 'optimal' || final.outcome.termination === 'time_limit_feasible';
  if (jobs && usable && hasAvoidableUnmet(problem, jobs) && enoughTimeLeft()) {
    const minUnmet = await solveStage({ kind: 'minUnmet' });
    outcomes.push(minUnmet.outcome);
    if (minUnmet.outcome.values) {
      const minJobs = decodeSolution(problem, minUnmet.built, minUnmet.outcome.values);
      const unmetCap = totalUnmet(minJobs);
      const lexicographic = enoughTimeLeft() ? await solveStage({ kind: 'lexicographic', unmetCap }) : undefined;
      if (lexicographic) outcomes.push(lexicographic.outcome);
      if (lexicographic?.outcome.values) {
        final = lexicographic;
        jobs = decodeSolution(problem, lexicographic.built, lexicographic.outcome.values);
      } else if (unmetCap < totalUnmet(jobs) - workTolerance) {
        final = minUnmet;
        jobs = minJobs;
      }
    }
  }

  const termination = combinedTermination(outcomes, jobs !== undefined);
  const status = outcomes.some((o) => o.status === 'error') ? 'error' : termination === 'optimal' ? 'ok' : 'warning';
  let plan: Schedule | undefined;
  let baseline: Schedule;
  let scenarios: ScenarioReport | undefined;
  const values = final.outcome.values;
  if (problem.scenarios?.length) {
    const built = final.built;
    ({ plan, baseline, report: scenarios } = accountScenarios(problem, jobs, values && jobs ? (k) => decodeStorage(problem, built, values, k, jobs) : undefined, baselineJobs, termination));
  } else {
    baseline = accountSchedule(problem, baselineJobs, dispatchSelfConsumption(problem, baselineJobs));
    if (jobs) {
      plan = accountSchedule(problem, jobs, values ? decodeStorage(problem, final.built, values, 0, jobs) : []);
      plan = { ...plan, jobs: explainUnmet(problem, plan, termination) };
    }
  }
  const size = modelSize(final.built.model);
  const solve: SolveInfo = {
    solver: final.outcome.solver,
    solverStatus: outcomes.map((o) => o.solverStatus).join(' / '),
    solveMs: outcomes.reduce((sum, o) => sum + o.solveMs, 0),
    buildMs,
    variables: size.variables,
    constraints: size.constraints,
    integerVariables: size.integerVariables,
    objective: final.outcome.objective ?? 0,
    mipGap: final.outcome.mipGap,
    stages: outcomes.length,
  };
  const explanation = problem.options.explain ? explainPlan(problem, final, jobs) : undefined;
  const withoutCheck = {
    status,
    termination,
    plan,
    baseline,
    summary: summarise(problem, plan, baseline),
    solve,
    warnings: planWarnings(problem, plan, baseline),
    ...(scenarios ? { scenarios } : {}),
    ...(explanation ? { explanation } : {}),
  } satisfies Omit<PlanResult, 'check'>;

  const check = checkPlanResult(problem, withoutCheck);
  callbacks.onEvent?.({ kind: 'checked', checks: check.checks, passed: check.passed });
  if (!check.passed) {
    throw new CoschedError('INTERNAL', `the plan failed the independent check (a bug in cosched; please report it):\n  ${check.violations.slice(0, 20).join('\n  ')}`, {
      reason: 'PLAN_CHECK_FAILED',
    });
  }
  return { ...withoutCheck, check };
}

/** The explanation of the final solve, or one that says why there is none. */
function explainPlan(problem: Problem, final: { built: BuiltModel; outcome: SolveOutcome }, jobs: JobOutcome[] | undefined): Explanation {
  if (problem.options.solver === 'jslp') return unavailableExplanation(problem, 'not available with jslp (it gives no duals)');
  if (problem.scenarios?.length) return unavailableExplanation(problem, 'not available with forecast scenarios (each scenario has shadow prices of its own)');
  if (!jobs || final.outcome.termination !== 'optimal') return unavailableExplanation(problem, `not available: the final solve ended ${final.outcome.termination}, not optimal`);
  if (final.built.stage.kind === 'minUnmet') return unavailableExplanation(problem, "not available: the plan is the 'minUnmet' stage's, which has no carbon objective");
  return explainDuals(problem, final.built, final.outcome, jobs);
}

function totalUnmet(jobs: JobOutcome[]): number {
  return jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0);
}

/** True when some job misses more work than its window can never hold. */
function hasAvoidableUnmet(problem: Problem, jobs: JobOutcome[]): boolean {
  return jobs.some((outcome) => {
    const job = problem.jobs[outcome.job];
    const structural = job.gpuHours - jobShape(problem, job).maxDoableGpuHours;
    return outcome.unmetGpuHours > structural + workTolerance * Math.max(1, job.gpuHours);
  });
}

function combinedTermination(outcomes: SolveOutcome[], hasPlan: boolean): PlanResult['termination'] {
  const last = outcomes[outcomes.length - 1];
  if (outcomes.some((o) => o.termination === 'cancelled')) return 'cancelled';
  if (!hasPlan) return last.termination === 'optimal' ? 'solver_error' : outcomes[0].termination;
  return outcomes.some((o) => o.termination === 'time_limit_feasible' || o.termination === 'time_limit_no_solution') ? 'time_limit_feasible' : 'optimal';
}

/**
 * The summary of a schedule against the baseline (README, "Accounting"): the schedule's totals,
 * carbon saved (baseline − schedule; 0 without a schedule), its percentage (0 when the baseline
 * emits nothing), green share, work done and unmet on both sides, the baseline's missed
 * deadlines, and whether both did the same work. Also used by evaluateSchedule for a fixed
 * schedule judged on realised data. Pure.
 */
export function summarise(problem: Problem, plan: Schedule | undefined, baseline: Schedule): PlanSummary {
  const hasMarginal = baseline.totals.marginalEmissionsKg !== undefined;
  const totals = plan?.totals ?? zeroEnergyTotals(hasMarginal);
  const allWork = problem.jobs.reduce((sum, j) => sum + j.gpuHours, 0);
  const doneGpuHours = plan ? plan.jobs.reduce((sum, j) => sum + j.doneGpuHours, 0) : 0;
  const baselineDoneGpuHours = baseline.jobs.reduce((sum, j) => sum + j.doneGpuHours, 0);
  // Without a schedule there is nothing to compare: no carbon is saved.
  const carbonSavedKg = plan ? baseline.totals.emissionsKg - totals.emissionsKg : 0;
  return {
    ...totals,
    baselineEmissionsKg: baseline.totals.emissionsKg,
    ...(hasMarginal
      ? {
          baselineMarginalEmissionsKg: baseline.totals.marginalEmissionsKg,
          // Like carbonSavedKg: without a schedule nothing is saved.
          marginalCarbonSavedKg: plan ? (baseline.totals.marginalEmissionsKg ?? 0) - (totals.marginalEmissionsKg ?? 0) : 0,
        }
      : {}),
    baselineCfeScore: baseline.totals.cfeScore,
    baselineAnnualMatchingScore: baseline.totals.annualMatchingScore,
    carbonSavedKg,
    carbonSavedPercent: baseline.totals.emissionsKg > 0 ? (100 * carbonSavedKg) / baseline.totals.emissionsKg : 0,
    // The share of the load served by green supply, directly or through storage: the 24/7 CFE
    // score (green MWh / energy MWh without storage; with storage green used includes charging).
    greenShare: totals.cfeScore,
    baselineCost: baseline.totals.cost,
    unmetGpuHours: plan ? plan.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0) : allWork,
    doneGpuHours,
    baselineUnmetGpuHours: baseline.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0),
    baselineDoneGpuHours,
    baselineMissedDeadlines: baseline.jobs.filter((j) => j.lateHours > 0 || j.unmetGpuHours > workTolerance).length,
    sameWork: plan !== undefined && Math.abs(doneGpuHours - baselineDoneGpuHours) <= workTolerance * Math.max(1, allWork),
    preemptions: plan ? plan.jobs.reduce((sum, j) => sum + (j.preemptions ?? 0), 0) : 0,
    migrations: plan ? plan.jobs.reduce((sum, j) => sum + (j.migrations ?? 0), 0) : 0,
    checkpointGpuHours: plan ? plan.jobs.reduce((sum, j) => sum + (j.checkpointGpuHours ?? 0), 0) : 0,
  };
}
