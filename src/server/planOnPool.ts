import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PlanCallbacks, PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { PlanPhaseRecorder } from '../tracing/PlanPhaseRecorder.js';
import type { CallContext } from './CallContext.js';
import { callDeadline } from './callDeadline.js';
import type { PlanExecutor } from './PlanExecutor.js';
import { assertResponseFits } from './planCost.js';
import { planRequestSize } from './planRequestSize.js';
import { preparePlan } from './preparePlan.js';
import { solverTimeLimitSeconds } from './solverTimeLimitSeconds.js';

/** What the plan methods need from the server. */
export interface PlanMethodDeps {
  /** Where plans run: the worker pool, or the queue's workers. */
  pool: PlanExecutor;
  maxCells: number;
  /** Most variables + constraints per plan's model (PlanLimits); unset: not checked. */
  maxModelSize?: number;
  /** Most bytes per PlanResponse, checked before and after solving (PlanLimits); unset: not checked. */
  maxResponseBytes?: number;
  deadlineMarginMs: number;
  logger: Logger;
}

/**
 * The shared core of Plan and WatchPlan: validate and size-check `request` (preparePlan), then
 * plan it on the pool with a solver time limit derived from the call's deadline when a worker
 * takes it (solverTimeLimitSeconds), stopping the worker if the client leaves. Records the problem
 * size and termination for the call's log line.
 *
 * When tracing is on, times the plan's phases as spans under the call's span (PlanPhaseRecorder);
 * `respond(build)` times the response mapping the same way (it just calls `build` otherwise).
 *
 * @param onValidated called once the request has passed validation and the size limit.
 * @throws what preparePlan and PlanWorkerPool.plan throw (CoschedErrors, or an Error for a bug);
 *   RESOURCE_EXHAUSTED (RESPONSE_TOO_LARGE) when the plan's response would exceed `maxResponseBytes`.
 */
export async function planOnPool(
  request: PlanRequest | undefined,
  context: CallContext,
  deps: PlanMethodDeps,
  hooks: { onValidated?: () => void; onEvent?: PlanCallbacks['onEvent'] } = {},
): Promise<{ problem: Problem; result: PlanResult; respond: <T>(build: () => T) => T }> {
  // Undefined unless tracing is on (PlanPhaseRecorder): then each phase becomes a span.
  const phases = PlanPhaseRecorder.start();
  try {
    const size = planRequestSize(request);
    Object.assign(context.logFields, size);
    // Each step proportional to the request runs in an event-loop turn of its own (decoding,
    // validating, handing to the worker, receiving the result), so that none adds to another.
    await yieldToEventLoop();
    const problem = preparePlan(request, { maxCells: deps.maxCells, maxModelSize: deps.maxModelSize, maxResponseBytes: deps.maxResponseBytes });
    phases?.validated(size);
    hooks.onValidated?.();
    const onEvent = phases ? (event: PlanEvent) => (phases.event(event), hooks.onEvent?.(event)) : hooks.onEvent;
    await yieldToEventLoop();
    const result = await deps.pool.plan(problem, {
      signal: context.signal,
      onEvent,
      timeLimitSeconds: () => (phases?.workerTook(), solverTimeLimitSeconds(problem.options.timeLimitSeconds, context.deadlineMs, Date.now(), deps.deadlineMarginMs)),
      deadline: callDeadline(context, deps),
    });
    context.logFields.termination = result.termination;
    await yieldToEventLoop();
    assertResponseFits(problem, result, deps.maxResponseBytes);
    phases?.planned(result);
    return { problem, result, respond: (build) => (phases ? phases.respond(build) : build()) };
  } catch (error) {
    phases?.failed(error);
    throw error;
  }
}
