import { Metadata, status as grpcCode, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { fromGrpcError } from './fromGrpcError.js';

/** Starts one unary call of a generated grpc-js client with the metadata, options and callback given. */
export type UnaryInvoker<Response> = (metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Response) => void) => ClientUnaryCall;

/** How one call is made. */
export interface UnaryCallOptions {
  /** The call's deadline, from when each attempt starts (ms). */
  deadlineMs: number;
  /** Aborting it cancels the call in flight (it then fails with CANCELLED). */
  signal?: AbortSignal;
  /**
   * True when the call may safely be sent again: a read, or a write carrying a request_id
   * (AIP-155: the server answers a repeat with the first answer). Such a call is retried on
   * UNAVAILABLE, but only when `wasConnected()` says the channel had reached the server: a
   * server that was never reached fails at once, so that "no server at ADDRESS" is quick.
   */
  idempotent?: boolean;
  /** Whether the channel has ever been READY (see connectStandingPlanner). */
  wasConnected?: () => boolean;
}

/** Pauses before each retry of an idempotent call (ms); their number is the most retries. */
export const retryDelaysMs = [250, 1_000] as const;
/** A retry waits this long at most for the connection to come back and the answer to arrive (ms). */
const retryDeadlineMs = 3_000;

/**
 * Makes one unary call and resolves with its response. Every failure goes through fromGrpcError
 * (the client's one translation point), naming `address`. When the retries of an idempotent call
 * (see UnaryCallOptions.idempotent) find no server either, the first failure is the one reported.
 *
 * @throws CoschedError from fromGrpcError.
 */
export async function callUnary<Response>(invoke: UnaryInvoker<Response>, address: string, options: UnaryCallOptions): Promise<Response> {
  let firstError: ServiceError | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(invoke, options, attempt > 0);
    } catch (error) {
      const serviceError = error as ServiceError;
      // A retry that finds no server (or times out waiting for one) reports the original failure.
      const noServer = serviceError.code === grpcCode.UNAVAILABLE || (firstError !== undefined && serviceError.code === grpcCode.DEADLINE_EXCEEDED);
      if (!noServer) throw fromGrpcError(serviceError, address);
      firstError ??= serviceError;
      const retry = options.idempotent === true && attempt < retryDelaysMs.length && options.wasConnected?.() === true && options.signal?.aborted !== true;
      if (!retry) throw fromGrpcError(firstError, address);
      await new Promise((resolve) => setTimeout(resolve, retryDelaysMs[attempt]));
    }
  }
}

function attemptOnce<Response>(invoke: UnaryInvoker<Response>, options: UnaryCallOptions, isRetry: boolean): Promise<Response> {
  const { signal } = options;
  return new Promise<Response>((resolve, reject) => {
    // A retry waits for the connection to come back (within the deadline) instead of failing at once.
    const deadlineMs = isRetry ? Math.min(options.deadlineMs, retryDeadlineMs) : options.deadlineMs;
    const call = invoke(new Metadata({ waitForReady: isRetry }), { deadline: Date.now() + deadlineMs }, (error, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response);
    });
    function onAbort() {
      call.cancel();
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
