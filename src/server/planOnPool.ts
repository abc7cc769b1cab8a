import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanCallbacks, PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { PlanPhaseRecorder } from '../tracing/PlanPhaseRecorder.js';
import type { CallContext } from './CallContext.js';
import { callDeadline } from './callDeadline.js';
import { DeferredRequest } from './DeferredRequest.js';
import type { PlanExecutor } from './PlanExecutor.js';
import { assertResponseFits } from './planCost.js';
import { planRequestSize, type PlanSize } from './planRequestSize.js';
import { preparePlan, type PlanLimits } from './preparePlan.js';
import type { RequestPrepPool } from './RequestPrepPool.js';
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
  /**
   * Where large requests are decoded and prepared (those withTolerantDecoding deferred as a
   * DeferredRequest). Unset: a DeferredRequest fails INTERNAL (the server always sets it).
   */
  requestPrep?: RequestPrepPool;
}

/**
 * The shared core of Plan and WatchPlan: validate and size-check `request` (preparePlan; for a
 * DeferredRequest, decoding too, in a request-preparation worker, `deps.requestPrep`, while the
 * call's signal is honoured), then
 * plan it on the pool with a solver time limit derived from the call's deadline when a worker
 * takes it (solverTimeLimitSeconds), stopping the worker if the client leaves. Records the problem
 * size and termination for the call's log line.
 *
 * When tracing is on, times the plan's phases as spans under the call's span (PlanPhaseRecorder);
 * `respond(build)` times the response mapping the same way (it just calls `build` otherwise).
 *
 * @param onValidated called once the request has passed validation and the size limit, with its size.
 * @param wrapperBytes bytes the method's message adds around the PlanResponse (WatchPlan's), counted
 *   against `maxResponseBytes`; `built` is the PlanResponse when that check had to build it.
 * @throws what preparePlan and PlanWorkerPool.plan throw (CoschedErrors, or an Error for a bug);
 *   RESOURCE_EXHAUSTED (RESPONSE_TOO_LARGE) when the plan's response would exceed `maxResponseBytes`.
 */
export async function planOnPool(
  request: PlanRequest | undefined | DeferredRequest,
  context: CallContext,
  deps: PlanMethodDeps,
  hooks: { onValidated?: (size: PlanSize) => void; onEvent?: PlanCallbacks['onEvent']; wrapperBytes?: number } = {},
): Promise<{ problem: Problem; result: PlanResult; built?: PlanResponse; respond: <T>(build: () => T) => T }> {
  // Undefined unless tracing is on (PlanPhaseRecorder): then each phase becomes a span.
  const phases = PlanPhaseRecorder.start();
  try {
    const limits: PlanLimits = { maxCells: deps.maxCells, maxModelSize: deps.maxModelSize, maxResponseBytes: deps.maxResponseBytes };
    const { problem, size } = request instanceof DeferredRequest ? await prepareDeferred(request, limits, context, deps) : await prepareHere(request, limits, context);
    phases?.validated(size);
    hooks.onValidated?.(size);
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
    const built = assertResponseFits(problem, result, deps.maxResponseBytes, hooks.wrapperBytes);
    phases?.planned(result);
    return { problem, result, built, respond: (build) => (phases ? phases.respond(build) : build()) };
  } catch (error) {
    phases?.failed(error);
    throw error;
  }
}

/** preparePlan on this thread, for a request grpc-js decoded here (a small one). */
async function prepareHere(request: PlanRequest | undefined, limits: PlanLimits, context: CallContext): Promise<{ problem: Problem; size: PlanSize }> {
  const size = planRequestSize(request);
  Object.assign(context.logFields, size);
  // Each step proportional to the request runs in an event-loop turn of its own (decoding,
  // validating, handing to the worker, receiving the result), so that none adds to another.
  await yieldToEventLoop();
  return { problem: preparePlan(request, limits), size };
}

/** Decoding and preparePlan in a request-preparation worker, for a large request. */
async function prepareDeferred(request: DeferredRequest, limits: PlanLimits, context: CallContext, deps: PlanMethodDeps): Promise<{ problem: Problem; size: PlanSize }> {
  if (!deps.requestPrep) throw new CoschedError('INTERNAL', `a deferred request for ${request.methodPath} but no request preparation workers`);
  const prepared = await deps.requestPrep.plan(request, limits, context);
  // Receiving the Problem took a turn; handing it to the plan worker takes another.
  await yieldToEventLoop();
  return prepared;
}
