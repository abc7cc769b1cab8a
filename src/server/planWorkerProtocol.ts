import type { CoschedErrorCode, FieldViolation } from '../../solver/errors/CoschedError.js';
import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';

/**
 * From PlanWorkerPool to a plan worker: plan this problem. One plan at a time per worker.
 * `events`: whether the caller listens to the plan's events; without a listener the worker asks
 * the solver for no progress (HiGHS's progress callbacks cost time on large LPs).
 */
export type PlanWorkerRequest = { kind: 'plan'; id: number; problem: Problem; events: boolean };

/** An error thrown by the planner inside the worker, as plain data (a CoschedError keeps its code). */
export interface PlanWorkerError {
  name: string;
  message: string;
  stack?: string;
  code?: CoschedErrorCode;
  reason?: string;
  violations?: FieldViolation[];
}

/** From a plan worker: 'ready' once, then for each plan its events and one result or failure. */
export type PlanWorkerReply =
  /** HiGHS is loaded: the worker can take plans. */
  | { kind: 'ready'; loadMs: number }
  | { kind: 'event'; id: number; event: PlanEvent }
  | { kind: 'result'; id: number; result: PlanResult }
  | { kind: 'failed'; id: number; error: PlanWorkerError };
