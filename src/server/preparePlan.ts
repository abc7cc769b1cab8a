import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { modelSizeViolation, planResponseBytesAtLeast, planTooCostly, responseTooLarge } from './planCost.js';
import { planRequestSize, type PlanSize } from './planRequestSize.js';

/** The limits a plan is checked against before it is solved (unset ones are not checked). */
export interface PlanLimits {
  /** Most hours × sites × jobs. */
  maxCells: number;
  /** Most variables + constraints of its model (planModelSize). */
  maxModelSize?: number;
  /** Most bytes of its PlanResponse. */
  maxResponseBytes?: number;
}

const count = new Intl.NumberFormat('en-US');

/**
 * Turns a received PlanRequest into the Problem the planner takes, on the main thread (validation
 * reads each hourly value once; it is cheap next to planning).
 *
 * @param request undefined when a wrapper message (WatchPlanRequest) left it out.
 * @throws CoschedError INVALID_ARGUMENT listing every bad field (a missing request is the field
 *   `request`); CoschedError RESOURCE_EXHAUSTED (reason PLAN_TOO_LARGE, violation field
 *   `max_cells`) when a valid request has more than `maxCells` hours × sites × jobs; with
 *   `maxModelSize`, RESOURCE_EXHAUSTED (reason PLAN_TOO_COSTLY, `max_model_size`) when its model
 *   would be larger (planModelSize, from the windows); with `maxResponseBytes`, RESOURCE_EXHAUSTED
 *   (reason RESPONSE_TOO_LARGE, `max_response_bytes`) when its PlanResponse would be larger even at
 *   its smallest (planResponseBytesAtLeast).
 */
export function preparePlan(request: PlanRequest | undefined, limits: PlanLimits): Problem {
  if (!request) throw CoschedError.invalid([{ field: 'request', description: 'got nothing; expected a PlanRequest' }]);
  const problem = validatePlanRequest(request);
  assertPlanCells(planRequestSize(request), limits.maxCells);
  const costly = limits.maxModelSize === undefined ? undefined : modelSizeViolation(problem, limits.maxModelSize);
  if (costly) throw planTooCostly([costly]);
  if (limits.maxResponseBytes !== undefined) {
    const responseBytes = planResponseBytesAtLeast(problem);
    if (responseBytes > limits.maxResponseBytes) throw responseTooLarge(responseBytes, limits.maxResponseBytes, 'before solving');
  }
  return problem;
}

/**
 * Throws CoschedError RESOURCE_EXHAUSTED (reason PLAN_TOO_LARGE, violation field `max_cells`)
 * when `size` has more than `maxCells` hours × sites × jobs.
 */
export function assertPlanCells(size: PlanSize, maxCells: number): void {
  if (size.cells <= maxCells) return;
  const description = `${size.hours} hours × ${size.sites} sites × ${size.jobs} jobs = ${count.format(size.cells)} cells; this server plans at most ${count.format(maxCells)} cells (max_cells)`;
  throw new CoschedError('RESOURCE_EXHAUSTED', `plan request too large: ${description}`, {
    reason: 'PLAN_TOO_LARGE',
    violations: [{ field: 'max_cells', description }],
  });
}
