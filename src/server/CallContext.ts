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
 * A CallContext for `call`, started at `startedMs` (performance.now()). grpc-js emits
 * 'cancelled' when the client cancels, when the deadline passes (it has then already sent
 * DEADLINE_EXCEEDED), and also after a normal end; `isFinished()` tells the last case apart, and
 * only the others abort the signal.
 */
export function createCallContext(call: Pick<ServerUnaryCall<unknown, unknown>, 'getDeadline' | 'on'>, startedMs: number, isFinished: () => boolean): CallContext {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  call.on('cancelled', () => {
    if (isFinished() || controller.signal.aborted) return;
    const pastDeadline = Number.isFinite(deadlineMs) && Date.now() >= deadlineMs - 1;
    controller.abort(
      pastDeadline
        ? new CoschedError('DEADLINE_EXCEEDED', 'the call deadline passed before the plan was done', { reason: 'DEADLINE_PASSED' })
        : new CoschedError('CANCELLED', 'the client cancelled the call', { reason: 'CALL_CANCELLED' }),
    );
  });
  return { signal: controller.signal, deadlineMs, elapsedMs: () => performance.now() - startedMs, logFields: {} };
}
