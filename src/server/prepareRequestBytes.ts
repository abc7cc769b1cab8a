import { ValidatePlanRequestRequest, WatchPlanRequest } from '../generated/cosched/v1/co_scheduler_service.js';
import { EvaluatePlanRequest } from '../generated/cosched/v1/evaluate.js';
import { evaluateOnThisThread } from './evaluateOnThisThread.js';
import { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import { answerValidatePlanRequest } from './answerValidatePlanRequest.js';
import { describeUndecodable } from './describeUndecodable.js';
import { packProblem } from './packProblem.js';
import { planRequestSize, type PlanSize } from './planRequestSize.js';
import { preparePlan, type PlanLimits } from './preparePlan.js';
import type { RequestPrepOutcome } from './requestPrepProtocol.js';
import { toPlanWorkerError } from './toPlanWorkerError.js';

/**
 * Decodes `bytes` as the request of `methodPath` (Plan: PlanRequest; WatchPlan: WatchPlanRequest;
 * ValidatePlanRequest: ValidatePlanRequestRequest; EvaluatePlan: EvaluatePlanRequest, with the
 * ts-proto decoders) and prepares it as the main thread would: Plan and WatchPlan through
 * preparePlan with `limits` (the Problem, packed by packProblem, and its size),
 * ValidatePlanRequest through answerValidatePlanRequest, EvaluatePlan through
 * evaluateOnThisThread (the whole answer). Bytes that do not decode give
 * describeUndecodable's fields; a thrown error comes back as data (toPlanWorkerError). Meant for a
 * request-preparation worker (requestPrepWorker): post `outcome` with `transfer`; never throws.
 */
export function prepareRequestBytes(methodPath: string, bytes: Uint8Array, limits: PlanLimits): { outcome: RequestPrepOutcome; transfer: ArrayBuffer[] } {
  try {
    return prepared(methodPath, bytes, limits);
  } catch (error) {
    return { outcome: { kind: 'failed', error: toPlanWorkerError(error) }, transfer: [] };
  }
}

function prepared(methodPath: string, bytes: Uint8Array, limits: PlanLimits): { outcome: RequestPrepOutcome; transfer: ArrayBuffer[] } {
  const method = methodPath.slice(methodPath.lastIndexOf('/') + 1);
  let request: PlanRequest | undefined;
  let evaluate: EvaluatePlanRequest | undefined;
  try {
    if (method === 'EvaluatePlan') request = (evaluate = EvaluatePlanRequest.decode(bytes)).actuals;
    else if (method === 'Plan') request = PlanRequest.decode(bytes);
    else if (method === 'WatchPlan') request = WatchPlanRequest.decode(bytes).request;
    else if (method === 'ValidatePlanRequest') request = ValidatePlanRequestRequest.decode(bytes).request;
    else return { outcome: { kind: 'failed', error: { name: 'Error', message: `no request preparation for ${methodPath}` } }, transfer: [] };
  } catch (error) {
    const { typeName, byteLength, decoderMessage, field } = describeUndecodable(methodPath, bytes, error);
    return { outcome: { kind: 'undecodable', typeName, byteLength, decoderMessage, field }, transfer: [] };
  }
  const size: PlanSize = planRequestSize(request);
  try {
    if (evaluate) return { outcome: { kind: 'evaluated', response: evaluateOnThisThread(evaluate, limits.maxCells), size }, transfer: [] };
    if (method === 'ValidatePlanRequest') return { outcome: { kind: 'validated', response: answerValidatePlanRequest(request), size }, transfer: [] };
    const { packed, transfer } = packProblem(preparePlan(request, limits));
    return { outcome: { kind: 'prepared', problem: packed, size }, transfer };
  } catch (error) {
    return { outcome: { kind: 'failed', error: toPlanWorkerError(error), size }, transfer: [] };
  }
}
