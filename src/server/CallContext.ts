import type { ServerUnaryCall } from '@grpc/grpc-js';
import { CoschedError } from '../../solver/errors/CoschedError.js';

/** What a method implementation knows about its call besides the request. */
export interface CallContext {
  /**
   * Aborted when the client goes away: its reason is a CoschedError DEADLINE_EXCEEDED when the
   * deadline passed, else CANCELLED. Pass it to anything long-running (the plan worker pool).
   */
  readonly signal: AbortSignal;
  /** The call's deadline, epoch ms; Infinity when the client set none. */
  readonly deadlineMs: number;
  /** Milliseconds since the call started. */
  elapsedMs(): number;
  /** Fields for the call's log line (e.g. the problem size and the termination). */
  readonly logFields: Record<string, unknown>;
}

/**
 * How early before the server's own deadline a cancellation still counts as the deadline passing.
 * The server's deadline is the client's timeout counted from when the server read the call, so it
 * falls after the client's by the network delay plus the server's event-loop delay; the client's
 * own deadline timer cancels the stream (RST_STREAM CANCEL, which looks like any cancel) that much
 * earlier. And grpc-js's deadline timer, measured from the event loop's cached clock, may fire a
 * few ms before Date.now() reaches the deadline. Either way the cause is the deadline.
 */
export const deadlineToleranceMs = 250;

/**
 * Whether a call cancelled at `nowMs` (epoch ms) was ended by its deadline `deadlineMs` (epoch
 * ms, Infinity for none): true from `deadlineToleranceMs` before it on.
 */
export function endedByDeadline(deadlineMs: number, nowMs: number = Date.now()): boolean {
  return Number.isFinite(deadlineMs) && nowMs >= deadlineMs - deadlineToleranceMs;
}

/**
 * A CallContext for `call`, started at `startedMs` (performance.now()). grpc-js emits
 * 'cancelled' when the client cancels, when the deadline passes (it has then already sent
 * DEADLINE_EXCEEDED), and also after a normal end; `isFinished()` tells the last case apart, and
 * only the others abort the signal (DEADLINE_EXCEEDED per endedByDeadline, else CANCELLED).
 */
export function createCallContext(
  call: Pick<ServerUnaryCall<unknown, unknown>, 'getDeadline' | 'on'>,
  startedMs: number,
  isFinished: () => boolean,
): CallContext {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  call.on('cancelled', () => {
    if (isFinished() || controller.signal.aborted) return;
    controller.abort(
      endedByDeadline(deadlineMs)
        ? new CoschedError('DEADLINE_EXCEEDED', 'the call deadline passed before the plan was done', { reason: 'DEADLINE_PASSED' })
        : new CoschedError('CANCELLED', 'the client cancelled the call', { reason: 'CALL_CANCELLED' }),
    );
  });
  return { signal: controller.signal, deadlineMs, elapsedMs: () => performance.now() - startedMs, logFields: {} };
}
