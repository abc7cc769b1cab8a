import { CoschedError } from '../../solver/errors/CoschedError.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import type { ValidatePlanRequestResponse } from '../generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { planRequestSize } from './planRequestSize.js';

/**
 * ValidatePlanRequest's answer for `request`: every violation (a missing request is the field
 * `request`) and no cells when invalid; valid with `cells` = hours × sites × jobs otherwise.
 * No limits are checked. Same answer on the main thread and in a request-preparation worker.
 *
 * @throws what validatePlanRequest throws other than INVALID_ARGUMENT (a bug).
 */
export function answerValidatePlanRequest(request: PlanRequest | undefined): ValidatePlanRequestResponse {
  if (!request) return { valid: false, violations: [{ field: 'request', description: 'got nothing; expected a PlanRequest' }], cells: 0 };
  try {
    validatePlanRequest(request);
  } catch (error) {
    if (error instanceof CoschedError && error.code === 'INVALID_ARGUMENT') return { valid: false, violations: error.violations, cells: 0 };
    throw error;
  }
  return { valid: true, violations: [], cells: planRequestSize(request).cells };
}
