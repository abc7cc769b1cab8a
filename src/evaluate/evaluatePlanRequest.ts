import { evaluateSchedule } from '../../solver/evaluate/evaluateSchedule.js';
import type { EvaluationResult, FixedSchedule, ScheduleViolation, ScheduleViolationKind } from '../../solver/evaluate/EvaluationResult.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { validateFixedPlan } from '../data/validateFixedPlan.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import { ViolationList } from '../data/ViolationList.js';
import {
  EvaluationViolationKind,
  type EvaluatePlanRequest,
  type EvaluatePlanResponse,
  type EvaluationViolation,
  type PlannedFigures,
} from '../generated/cosched/v1/evaluate.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { hourToTimestamp, toPlanResponse } from '../report/toPlanResponse.js';

const kindToProto: Record<ScheduleViolationKind, EvaluationViolationKind> = {
  grid_import_limit: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_GRID_IMPORT_LIMIT,
  site_capacity: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_SITE_CAPACITY,
  outside_window: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_OUTSIDE_WINDOW,
  site_not_allowed: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_SITE_NOT_ALLOWED,
  below_min_gpus: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_BELOW_MIN_GPUS,
  job_max_gpus: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_JOB_MAX_GPUS,
  not_one_block: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_NOT_ONE_BLOCK,
  excess_work: EvaluationViolationKind.EVALUATION_VIOLATION_KIND_EXCESS_WORK,
};

/** The messages of an EvaluatePlanRequest that are read (`planned` may be left out). */
export type EvaluateInput = Pick<EvaluatePlanRequest, 'actuals' | 'plan'> & { planned?: EvaluatePlanRequest['planned'] };

/** A validated EvaluatePlanRequest: the actuals (and the planned request) as Problems, the plan as fixed schedules of each. */
export interface PreparedEvaluation {
  problem: Problem;
  schedule: FixedSchedule;
  planned?: { problem: Problem; schedule: FixedSchedule };
}

/**
 * Validates an EvaluatePlanRequest: `actuals` and, when given, `planned` by validatePlanRequest
 * (paths prefixed `actuals.` and `planned.`), then `plan` against each by validateFixedPlan (paths
 * under `plan.`; against `planned` only when it fits the actuals, so a bad field is not listed
 * twice). Every violation found is reported at once.
 *
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_EVALUATE_REQUEST) listing every violation.
 */
export function prepareEvaluation(request: EvaluateInput): PreparedEvaluation {
  const violations = new ViolationList();
  const problem = validateAt(request.actuals, 'actuals', 'a PlanRequest of the realised data', violations);
  const plannedProblem = request.planned ? validateAt(request.planned, 'planned', 'the PlanRequest the plan was made on', violations) : undefined;
  if (!problem) {
    if (!request.plan) violations.add('plan', 'got nothing; expected the PlanResponse to judge');
    throw CoschedError.invalid(violations.items, 'evaluate request', 'INVALID_EVALUATE_REQUEST');
  }
  if (problem.scenarios?.length) {
    violations.add('actuals.forecastScenarios', `got ${problem.scenarios.length} forecast scenarios; expected none: the actuals are what happened (judge against each scenario with one request each)`);
  }
  if (plannedProblem?.scenarios?.length) {
    violations.add('planned.forecastScenarios', `got ${plannedProblem.scenarios.length} forecast scenarios; expected none: the planned figures are recomputed on the sites' own forecasts (leave out planned to copy them from the plan)`);
  }
  const schedule = validateFixedPlan(request.plan, problem, violations);
  let planned: PreparedEvaluation['planned'];
  if (plannedProblem && violations.length === 0) planned = { problem: plannedProblem, schedule: validateFixedPlan(request.plan, plannedProblem, violations, 'the planned request') };
  if (violations.length > 0) throw CoschedError.invalid(violations.items, 'evaluate request', 'INVALID_EVALUATE_REQUEST');
  return { problem, schedule, planned };
}

/** validatePlanRequest with its violations added under `prefix.`; undefined when invalid or missing. */
function validateAt(planRequest: PlanRequest | undefined, prefix: string, what: string, violations: ViolationList): Problem | undefined {
  if (!planRequest) {
    violations.add(prefix, `got nothing; expected ${what}`);
    return undefined;
  }
  try {
    return validatePlanRequest(planRequest);
  } catch (error) {
    if (!(error instanceof CoschedError) || error.code !== 'INVALID_ARGUMENT') throw error;
    for (const v of error.violations) violations.add(`${prefix}.${v.field}`, v.description);
    return undefined;
  }
}

/**
 * EvaluatePlan's answer: validates the request (prepareEvaluation), judges the plan's fixed
 * allocations on the actuals (evaluateSchedule: accounts, baseline on the actuals, violations,
 * independent check), and maps the result onto the wire the way a plan is mapped
 * (toPlanResponse). The planned figures are the same evaluation on `planned` when it is given,
 * else copied from `plan.summary`.
 *
 * @throws CoschedError INVALID_ARGUMENT from prepareEvaluation; INTERNAL if a check fails (a bug).
 */
export function evaluatePlanRequest(request: EvaluateInput): { problem: Problem; result: EvaluationResult; response: EvaluatePlanResponse } {
  const { problem, schedule, planned } = prepareEvaluation(request);
  const result = evaluateSchedule(problem, schedule);
  const plannedFigures = planned ? recomputedFigures(planned.problem, evaluateSchedule(planned.problem, planned.schedule)) : copiedFigures(request.plan as PlanResponse);
  return { problem, result, response: toEvaluatePlanResponse(problem, result, plannedFigures) };
}

/**
 * Maps an EvaluationResult onto EvaluatePlanResponse. Jobs, sites, summary and baseline go
 * through toPlanResponse (the same mapping as a plan's); violations get ids and hour Timestamps.
 */
export function toEvaluatePlanResponse(problem: Problem, result: EvaluationResult, planned: PlannedFigures): EvaluatePlanResponse {
  const mapped = toPlanResponse(problem, {
    status: 'ok',
    termination: 'optimal',
    plan: result.judged,
    baseline: result.baseline,
    summary: result.summary,
    solve: { solver: '', solverStatus: '', solveMs: 0, buildMs: 0, variables: 0, constraints: 0, integerVariables: 0, objective: 0, mipGap: 0, stages: 0 },
    check: result.check,
    warnings: [],
  });
  return {
    jobs: mapped.jobs,
    sites: mapped.sites,
    summary: mapped.summary,
    baseline: mapped.baseline,
    planned,
    violations: result.violations.map((v) => toEvaluationViolation(problem, v)),
    check: mapped.check,
  };
}

/** The plan's figures as it reported them (zeros when it has no summary). */
function copiedFigures(plan: PlanResponse): PlannedFigures {
  const s = plan.summary;
  return {
    emissionsKg: s?.emissionsKg ?? 0,
    baselineEmissionsKg: s?.baselineEmissionsKg ?? 0,
    carbonSavedKg: s?.carbonSavedKg ?? 0,
    carbonSavedPercent: s?.carbonSavedPercent ?? 0,
    cost: s?.cost ?? 0,
    unmetGpuHours: s?.unmetGpuHours ?? 0,
    recomputed: false,
    violations: [],
  };
}

/** The plan's figures from its evaluation on the request it was made on (checked). */
function recomputedFigures(problem: Problem, onPlanned: EvaluationResult): PlannedFigures {
  const s = onPlanned.summary;
  return {
    emissionsKg: s.emissionsKg,
    baselineEmissionsKg: s.baselineEmissionsKg,
    carbonSavedKg: s.carbonSavedKg,
    carbonSavedPercent: s.carbonSavedPercent,
    cost: s.cost,
    unmetGpuHours: s.unmetGpuHours,
    recomputed: true,
    violations: onPlanned.violations.map((v) => toEvaluationViolation(problem, v)),
  };
}

function toEvaluationViolation(problem: Problem, v: ScheduleViolation): EvaluationViolation {
  return {
    kind: kindToProto[v.kind],
    jobId: v.job === undefined ? '' : problem.jobs[v.job].id,
    siteId: v.site === undefined ? '' : problem.sites[v.site].id,
    hour: v.hour === undefined ? undefined : hourToTimestamp(problem, v.hour),
    value: v.value,
    limit: v.limit,
    description: v.description,
  };
}
