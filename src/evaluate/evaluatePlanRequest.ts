import { evaluateSchedule } from '../../solver/evaluate/evaluateSchedule.js';
import type { EvaluationResult, ScheduleViolation, ScheduleViolationKind } from '../../solver/evaluate/EvaluationResult.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Problem } from '../../solver/problem/Problem.js';
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

/** A validated EvaluatePlanRequest: the actuals as a Problem and the plan as a fixed schedule. */
export interface PreparedEvaluation {
  problem: Problem;
  schedule: ReturnType<typeof validateFixedPlan>;
}

/**
 * Validates an EvaluatePlanRequest: `actuals` by validatePlanRequest (paths prefixed `actuals.`),
 * then `plan` against it by validateFixedPlan (paths under `plan.`). When the actuals are valid,
 * every violation of both is reported at once.
 *
 * @throws CoschedError INVALID_ARGUMENT (reason INVALID_EVALUATE_REQUEST) listing every violation.
 */
export function prepareEvaluation(request: Pick<EvaluatePlanRequest, 'actuals' | 'plan'>): PreparedEvaluation {
  if (!request.actuals) {
    const violations = [{ field: 'actuals', description: 'got nothing; expected a PlanRequest of the realised data' }];
    if (!request.plan) violations.push({ field: 'plan', description: 'got nothing; expected the PlanResponse to judge' });
    throw CoschedError.invalid(violations, 'evaluate request', 'INVALID_EVALUATE_REQUEST');
  }
  let problem: Problem;
  try {
    problem = validatePlanRequest(request.actuals);
  } catch (error) {
    if (!(error instanceof CoschedError) || error.code !== 'INVALID_ARGUMENT') throw error;
    const violations = error.violations.map((v) => ({ field: `actuals.${v.field}`, description: v.description }));
    if (!request.plan) violations.push({ field: 'plan', description: 'got nothing; expected the PlanResponse to judge' });
    throw CoschedError.invalid(violations, 'evaluate request', 'INVALID_EVALUATE_REQUEST');
  }
  const violations = new ViolationList();
  const schedule = validateFixedPlan(request.plan, problem, violations);
  if (violations.length > 0) throw CoschedError.invalid(violations.items, 'evaluate request', 'INVALID_EVALUATE_REQUEST');
  return { problem, schedule };
}

/**
 * EvaluatePlan's answer: validates the request (prepareEvaluation), judges the plan's fixed
 * allocations on the actuals (evaluateSchedule: accounts, baseline on the actuals, violations,
 * independent check), and maps the result onto the wire the way a plan is mapped
 * (toPlanResponse), with the plan's own figures copied from `plan.summary`.
 *
 * @throws CoschedError INVALID_ARGUMENT from prepareEvaluation; INTERNAL if the check fails (a bug).
 */
export function evaluatePlanRequest(request: Pick<EvaluatePlanRequest, 'actuals' | 'plan'>): { problem: Problem; result: EvaluationResult; response: EvaluatePlanResponse } {
  const { problem, schedule } = prepareEvaluation(request);
  const result = evaluateSchedule(problem, schedule);
  return { problem, result, response: toEvaluatePlanResponse(problem, result, request.plan as PlanResponse) };
}

/**
 * Maps an EvaluationResult onto EvaluatePlanResponse. Jobs, sites, summary and baseline go
 * through toPlanResponse (the same mapping as a plan's); violations get ids and hour Timestamps;
 * `planned` copies `plan.summary` (zeros when it has none).
 */
export function toEvaluatePlanResponse(problem: Problem, result: EvaluationResult, plan: PlanResponse): EvaluatePlanResponse {
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
    planned: plannedFigures(plan),
    violations: result.violations.map((v) => toEvaluationViolation(problem, v)),
    check: mapped.check,
  };
}

function plannedFigures(plan: PlanResponse): PlannedFigures {
  const s = plan.summary;
  return {
    emissionsKg: s?.emissionsKg ?? 0,
    baselineEmissionsKg: s?.baselineEmissionsKg ?? 0,
    carbonSavedKg: s?.carbonSavedKg ?? 0,
    carbonSavedPercent: s?.carbonSavedPercent ?? 0,
    cost: s?.cost ?? 0,
    unmetGpuHours: s?.unmetGpuHours ?? 0,
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
