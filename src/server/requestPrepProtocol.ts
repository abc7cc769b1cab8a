import type { ValidatePlanRequestResponse } from '../generated/cosched/v1/co_scheduler_service.js';
import type { EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import type { PackedProblem } from './packProblem.js';
import type { PlanWorkerError } from './planWorkerProtocol.js';
import type { PlanSize } from './planRequestSize.js';
import type { PlanLimits } from './preparePlan.js';

/** The methods whose large requests a request-preparation worker decodes. */
export type DeferredMethod = 'Plan' | 'WatchPlan' | 'ValidatePlanRequest' | 'EvaluatePlan';

/**
 * From RequestPrepPool to a request-preparation worker: decode `bytes` (transferred) as the
 * request of `methodPath` and prepare it (Plan, WatchPlan: preparePlan with `limits`;
 * ValidatePlanRequest: answerValidatePlanRequest; EvaluatePlan: the whole evaluation, within
 * `limits.maxCells`).
 */
export type RequestPrepRequest = { kind: 'prepare'; id: number; methodPath: string; bytes: ArrayBuffer; limits: PlanLimits };

/** What preparing one request gave. `size` (planRequestSize) is there whenever the bytes decoded. */
export type RequestPrepOutcome =
  /** Plan, WatchPlan: the Problem to plan, packed (packProblem; its buffers transferred). */
  | { kind: 'prepared'; problem: PackedProblem; size: PlanSize }
  /** ValidatePlanRequest: its answer. */
  | { kind: 'validated'; response: ValidatePlanRequestResponse; size: PlanSize }
  /** EvaluatePlan: its answer (`size` is the actuals'). */
  | { kind: 'evaluated'; response: EvaluatePlanResponse; size: PlanSize }
  /** The bytes did not decode: UndecodableRequest's fields. */
  | { kind: 'undecodable'; typeName: string; byteLength: number; decoderMessage: string; field: string }
  /** Validation or a limit refused it (a CoschedError), or a bug. */
  | { kind: 'failed'; error: PlanWorkerError; size?: PlanSize };

/** From a request-preparation worker: 'ready' once, then one outcome per request. */
export type RequestPrepReply = { kind: 'ready' } | { kind: 'outcome'; id: number; outcome: RequestPrepOutcome };
