import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type {
  CompareScenariosRequest,
  CompareScenariosResponse,
  CoSchedulerServiceServer,
  SweepFrontierRequest,
  SweepFrontierResponse,
  ValidatePlanRequestRequest,
  ValidatePlanRequestResponse,
  WatchPlanRequest,
  WatchPlanResponse,
} from '../generated/cosched/v1/co_scheduler_service.js';
import type { EvaluatePlanRequest, EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../report/toPlanResponse.js';
import { watchPlanWrapperBytes } from './planCost.js';
import { answerValidatePlanRequest } from './answerValidatePlanRequest.js';
import { compareScenariosOnPool } from './compareScenariosOnPool.js';
import { DeferredRequest } from './DeferredRequest.js';
import { handleServerStreamingCall } from './handleServerStreamingCall.js';
import { handleUnaryCall } from './handleUnaryCall.js';
import { planRequestSize } from './planRequestSize.js';
import { planOnPool, type PlanMethodDeps } from './planOnPool.js';
import { evaluateOnThisThread } from './evaluateOnThisThread.js';
import { sweepFrontierOnPool } from './sweepFrontierOnPool.js';
import { toPlanProgress, validatedProgress } from './toPlanProgress.js';

/**
 * The cosched.v1.CoSchedulerService methods, for `server.addService(CoSchedulerServiceService, ...)`:
 * - Plan: validate, plan on the worker pool, answer the PlanResponse (the CLI's mapping).
 * - WatchPlan: the same, streaming PlanProgress events (VALIDATED, MODEL_BUILT, SOLVER_PROGRESS,
 *   SOLVED, CHECKED) and ending with the PlanResponse.
 * - ValidatePlanRequest: every violation, no plan; `cells` = hours × sites × jobs when valid.
 * Large Plan, WatchPlan, ValidatePlanRequest and EvaluatePlan requests arrive undecoded (DeferredRequest, see
 * withTolerantDecoding) and are decoded and prepared in `deps.requestPrep`'s workers.
 * - CompareScenarios: the base and each variant planned on the pool (compareScenariosOnPool),
 *   streaming each plan's start and end, ending with the rows.
 * - SweepFrontier: the carbon-versus-cost sweep on the pool (sweepFrontierOnPool), streaming each
 *   plan's start and end, ending with the Pareto points and warnings.
 * - EvaluatePlan: a fixed plan judged on the actuals (evaluateOnThisThread), within max_cells;
 *   nothing is solved. A large request is evaluated in a request-preparation worker, like ValidatePlanRequest's.
 * Errors leave through toGrpcStatus; each call writes one log line.
 */
export function createCoSchedulerService(deps: PlanMethodDeps): CoSchedulerServiceServer {
  const { logger } = deps;
  return {
    plan: handleUnaryCall<PlanRequest | DeferredRequest, PlanResponse>(
      'Plan',
      async (request, context) => {
        const { problem, result, built, respond } = await planOnPool(request, context, deps);
        const response = respond(() => built ?? toPlanResponse(problem, result));
        // Encoding (in grpc-js) in a turn of its own, after building.
        await yieldToEventLoop();
        return response;
      },
      logger,
    ),

    watchPlan: handleServerStreamingCall<WatchPlanRequest | DeferredRequest, WatchPlanResponse>(
      'WatchPlan',
      async (message, context, send) => {
        const request = message instanceof DeferredRequest ? message : message.request;
        const { problem, result, built, respond } = await planOnPool(request, context, deps, {
          onValidated: (size) => send({ event: { $case: 'progress', value: validatedProgress(size, context.elapsedMs()) } }),
          onEvent: (event) => send({ event: { $case: 'progress', value: toPlanProgress(event, context.elapsedMs()) } }),
          wrapperBytes: watchPlanWrapperBytes,
        });
        const response = respond(() => built ?? toPlanResponse(problem, result));
        await yieldToEventLoop();
        send({ event: { $case: 'plan', value: response } });
      },
      logger,
    ),

    validatePlanRequest: handleUnaryCall<ValidatePlanRequestRequest | DeferredRequest, ValidatePlanRequestResponse>(
      'ValidatePlanRequest',
      async (message, context) => {
        if (message instanceof DeferredRequest) {
          if (!deps.requestPrep) throw new CoschedError('INTERNAL', `a deferred request for ${message.methodPath} but no request preparation workers`);
          return deps.requestPrep.validate(message, context);
        }
        Object.assign(context.logFields, planRequestSize(message.request));
        return answerValidatePlanRequest(message.request);
      },
      logger,
    ),

    compareScenarios: handleServerStreamingCall<CompareScenariosRequest, CompareScenariosResponse>(
      'CompareScenarios',
      async (request, context, send) => {
        const rows = await compareScenariosOnPool(request, context, deps, (progress) => send({ event: { $case: 'progress', value: progress } }));
        send({ event: { $case: 'result', value: { rows } } });
      },
      logger,
    ),

    sweepFrontier: handleServerStreamingCall<SweepFrontierRequest, SweepFrontierResponse>(
      'SweepFrontier',
      async (request, context, send) => {
        const frontier = await sweepFrontierOnPool(request, context, deps, (progress) => send({ event: { $case: 'progress', value: progress } }));
        send({ event: { $case: 'result', value: frontier } });
      },
      logger,
    ),

    evaluatePlan: handleUnaryCall<EvaluatePlanRequest | DeferredRequest, EvaluatePlanResponse>(
      'EvaluatePlan',
      async (request, context) => {
        let response: EvaluatePlanResponse;
        if (request instanceof DeferredRequest) {
          if (!deps.requestPrep) throw new CoschedError('INTERNAL', `a deferred request for ${request.methodPath} but no request preparation workers`);
          response = await deps.requestPrep.evaluate(request, deps.maxCells, context);
        } else {
          Object.assign(context.logFields, planRequestSize(request.actuals));
          await yieldToEventLoop();
          response = evaluateOnThisThread(request, deps.maxCells);
        }
        context.logFields.violations = response.violations.length;
        await yieldToEventLoop();
        return response;
      },
      logger,
    ),
  };
}
