import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanWorkerError } from './planWorkerProtocol.js';

/** A worker's error (toPlanWorkerError) as the main thread's caller sees it: a CoschedError stays one, anything else is an Error with the worker's stack. */
export function fromPlanWorkerError(error: PlanWorkerError): Error {
  const rebuilt = error.code
    ? new CoschedError(error.code, error.message, { reason: error.reason, violations: error.violations })
    : Object.assign(new Error(error.message), { name: error.name });
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
