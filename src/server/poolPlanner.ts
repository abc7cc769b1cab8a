import type { Planner } from '../whatif/Planner.js';
import { limitPlannerConcurrency } from '../whatif/limitPlannerConcurrency.js';
import type { CallContext } from './CallContext.js';
import { callDeadline } from './callDeadline.js';
import type { PlanMethodDeps } from './planOnPool.js';
import { solverTimeLimitSeconds } from './solverTimeLimitSeconds.js';

/** A what-if call's planner and the means to stop every plan it started. */
export interface CallPlanner {
  planner: Planner;
  /**
   * Stops every plan of the call still queued or running (their workers are terminated), e.g.
   * when one plan failed and the call is over. Idempotent.
   */
  stopAll(): void;
  /** Detaches from the call's signal; call once the call is over. */
  dispose(): void;
}

/**
 * The Planner the what-if engine gets in a gRPC call: each plan runs on the worker pool, with the
 * solver time limit derived from the call's deadline when a worker takes it (as Plan does), and
 * stops when the client cancels or the deadline passes (the call's signal), which terminates the
 * worker of every running plan of the call. At most `pool.size` plans of one call are handed to
 * the pool at once and the rest wait in the call, so one comparison uses every worker without
 * filling the pool's queue for other callers.
 */
export function poolPlanner(context: CallContext, deps: PlanMethodDeps): CallPlanner {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(context.signal.reason);
  if (context.signal.aborted) forwardAbort();
  else context.signal.addEventListener('abort', forwardAbort, { once: true });
  const planOne: Planner = (problem, onEvent) =>
    deps.pool.plan(problem, {
      signal: controller.signal,
      onEvent,
      timeLimitSeconds: () => solverTimeLimitSeconds(problem.options.timeLimitSeconds, context.deadlineMs, Date.now(), deps.deadlineMarginMs),
      deadline: callDeadline(context, deps),
    });
  return {
    planner: limitPlannerConcurrency(planOne, deps.pool.size),
    stopAll: () => controller.abort(),
    dispose: () => context.signal.removeEventListener('abort', forwardAbort),
  };
}

/**
 * Runs `work` with a poolPlanner; when `work` fails, the call's other plans are stopped before the
 * error propagates (the engine does not cancel them itself).
 */
export async function withPoolPlanner<T>(context: CallContext, deps: PlanMethodDeps, work: (planner: Planner) => Promise<T>): Promise<T> {
  const call = poolPlanner(context, deps);
  try {
    return await work(call.planner);
  } catch (error) {
    call.stopAll();
    throw error;
  } finally {
    call.dispose();
  }
}
