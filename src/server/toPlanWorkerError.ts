import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanWorkerError } from './planWorkerProtocol.js';

/** `error`, thrown in a worker thread, as plain data for postMessage: a CoschedError keeps its code, reason and violations. */
export function toPlanWorkerError(error: unknown): PlanWorkerError {
  if (error instanceof CoschedError) {
    return { name: error.name, message: error.message, stack: error.stack, code: error.code, reason: error.reason, violations: error.violations };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}
