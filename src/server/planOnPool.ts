import type { Logger } from 'pino';
import type { PlanCallbacks } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { CallContext } from './CallContext.js';
import { callDeadline } from './callDeadline.js';
import type { PlanExecutor } from './PlanExecutor.js';
import { planRequestSize } from './planRequestSize.js';
import { preparePlan } from './preparePlan.js';
import { solverTimeLimitSeconds } from './solverTimeLimitSeconds.js';

/** What the plan methods need from the server. */
export interface PlanMethodDeps {
  /** Where plans run: the worker pool, or the queue's workers. */
  pool: PlanExecutor;
  maxCells: number;
  deadlineMarginMs: number;
  logger: Logger;
}

/**
 * The shared core of Plan and WatchPlan: validate and size-check `request` (preparePlan), then
 * plan it on the pool with a solver time limit derived from the call's deadline when a worker
 * takes it (solverTimeLimitSeconds), stopping the worker if the client leaves. Records the problem
 * size and termination for the call's log line.
 *
 * @param onValidated called once the request has passed validation and the size limit.
 * @throws what preparePlan and PlanWorkerPool.plan throw (CoschedErrors, or an Error for a bug).
 */
export async function planOnPool(
  request: PlanRequest | undefined,
  context: CallContext,
  deps: PlanMethodDeps,
  hooks: { onValidated?: () => void; onEvent?: PlanCallbacks['onEvent'] } = {},
): Promise<{ problem: Problem; result: PlanResult }> {
  Object.assign(context.logFields, planRequestSize(request));
  const problem = preparePlan(request, { maxCells: deps.maxCells });
  hooks.onValidated?.();
  const result = await deps.pool.plan(problem, {
    signal: context.signal,
    onEvent: hooks.onEvent,
    timeLimitSeconds: () => solverTimeLimitSeconds(problem.options.timeLimitSeconds, context.deadlineMs, Date.now(), deps.deadlineMarginMs),
    deadline: callDeadline(context, deps),
  });
  context.logFields.termination = result.termination;
  return { problem, result };
}
