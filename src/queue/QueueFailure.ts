import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanWorkerError } from '../server/planWorkerProtocol.js';

/**
 * Why a plan job failed, as a worker writes it into the job's `failedReason` (the only text of a
 * failure that reaches the server through QueueEvents): the error as plain data (a CoschedError
 * keeps its code, reason and violations; another Error its name and stack) and which attempt it
 * was.
 */
export interface QueueFailure {
  error: PlanWorkerError;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  /** How many attempts the job has. */
  attempts: number;
}

/** Starts every failedReason a cosched worker writes; what follows is the QueueFailure as JSON. */
const prefix = 'cosched plan failure: ';

/** BullMQ's failedReason for a job whose workers stopped while running it more than maxStalledCount times. */
const stalledTooOften = 'job stalled more than allowable limit';

/**
 * Whether a failure may go better on another try: only a crashed plan worker thread (say, out
 * of memory) or an unreachable dependency. Requests the planner refused (INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED...), cancellations, deadlines and bugs (a plain Error) fail the same way
 * every time and are not tried again.
 */
export function isRetryableFailure(error: unknown): boolean {
  return error instanceof CoschedError && (error.reason === 'PLAN_WORKER_CRASHED' || error.code === 'UNAVAILABLE');
}

/** `error` as a job's failedReason (see QueueFailure). */
export function encodeQueueFailure(error: unknown, attempt: number, attempts: number): string {
  const failure: QueueFailure = { error: toPlainError(error), attempt, attempts };
  return `${prefix}${JSON.stringify(failure)}`;
}

/**
 * The error a caller gets for a job that failed with `failedReason`:
 * - a cosched worker's failure: the same CoschedError (code, message, reason, violations), or an
 *   Error with the worker's name, message and stack (a bug: toGrpcStatus logs it); a crash on
 *   the last of several attempts says so (a request that crashes its worker every time);
 * - a job whose workers stopped while running it, more often than allowed (BullMQ's stalled
 *   limit: workers killed or cut off from Redis): CoschedError INTERNAL, reason PLAN_WORKER_LOST;
 * - anything else: CoschedError INTERNAL, reason PLAN_JOB_FAILED, with the text.
 */
export function decodeQueueFailure(failedReason: string | undefined): Error {
  const text = failedReason ?? '';
  if (text.startsWith(prefix)) {
    let failure: QueueFailure | undefined;
    try {
      failure = JSON.parse(text.slice(prefix.length)) as QueueFailure;
    } catch {
      // Not ours after all: reported as an unknown failure below.
    }
    if (failure) return fromPlainError(failure);
  }
  if (text.includes(stalledTooOften)) {
    return new CoschedError('INTERNAL', "the plan's worker stopped while planning it (killed, or cut off from Redis), more often than the queue allows; the plan is not tried again", {
      reason: 'PLAN_WORKER_LOST',
    });
  }
  return new CoschedError('INTERNAL', `the plan failed in the queue: ${text || 'no reason given'}`, { reason: 'PLAN_JOB_FAILED' });
}

function toPlainError(error: unknown): PlanWorkerError {
  if (error instanceof CoschedError) {
    return { name: error.name, message: error.message, stack: error.stack, code: error.code, reason: error.reason, violations: error.violations };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

function fromPlainError({ error, attempt, attempts }: QueueFailure): Error {
  if (error.code) {
    const lastOfSeveral = error.code === 'INTERNAL' && attempts > 1 && attempt >= attempts;
    const message = lastOfSeveral ? `${error.message} (attempt ${attempt} of ${attempts}: every attempt failed; the plan is not tried again)` : error.message;
    const rebuilt = new CoschedError(error.code, message, { reason: error.reason, violations: error.violations });
    if (error.stack) rebuilt.stack = error.stack;
    return rebuilt;
  }
  const rebuilt = Object.assign(new Error(error.message), { name: error.name });
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
