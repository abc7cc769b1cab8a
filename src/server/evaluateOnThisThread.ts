import type { EvaluatePlanRequest, EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import { evaluatePlanRequest } from '../evaluate/evaluatePlanRequest.js';
import { planRequestSize } from './planRequestSize.js';
import { assertPlanCells } from './preparePlan.js';

/**
 * EvaluatePlan's answer, computed on the calling thread (the main thread for a small request, a
 * request-preparation worker for a large one): the actuals and, when given, the planned request
 * must each be within `maxCells` hours × sites × jobs, then evaluatePlanRequest.
 *
 * @throws CoschedError RESOURCE_EXHAUSTED (PLAN_TOO_LARGE, `max_cells`) over the limit; what
 *   evaluatePlanRequest throws (INVALID_ARGUMENT for a bad request).
 */
export function evaluateOnThisThread(request: EvaluatePlanRequest, maxCells: number): EvaluatePlanResponse {
  assertPlanCells(planRequestSize(request.actuals), maxCells);
  if (request.planned) assertPlanCells(planRequestSize(request.planned), maxCells);
  return evaluatePlanRequest(request).response;
}
