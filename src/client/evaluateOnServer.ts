import { Metadata } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../generated/cosched/v1/co_scheduler_service.js';
import type { EvaluatePlanRequest, EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import { tokenClientOptions } from './bearerTokenInterceptor.js';
import { channelCredentials } from './channelCredentials.js';
import { fromGrpcError } from './fromGrpcError.js';
import type { ServerConnection } from './planOnServer.js';

/**
 * Calls EvaluatePlan on the cosched server at `connection.address` and resolves with its
 * EvaluatePlanResponse. Aborting `signal` cancels the call. The client is closed before this
 * settles. Responses of any size are accepted.
 *
 * @throws CoschedError from fromGrpcError for every failed call (invalid request, limits, no
 *   server, cancellation, UNAUTHENTICATED...); Error when a TLS file cannot be read.
 */
export async function evaluateOnServer(connection: ServerConnection, request: EvaluatePlanRequest, options: { signal?: AbortSignal } = {}): Promise<EvaluatePlanResponse> {
  const client = new CoSchedulerServiceClient(connection.address, channelCredentials(connection), { 'grpc.max_receive_message_length': -1, ...tokenClientOptions(connection.token) });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<EvaluatePlanResponse>((resolve, reject) => {
      const call = client.evaluatePlan(request, new Metadata(), {}, (error, response) => (error ? reject(fromGrpcError(error, connection.address)) : resolve(response)));
      onAbort = () => call.cancel();
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
