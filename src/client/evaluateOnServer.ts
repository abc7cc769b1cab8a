import type { EvaluatePlanRequest, EvaluatePlanResponse } from '../generated/cosched/v1/evaluate.js';
import { callCoScheduler } from './callCoScheduler.js';
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
  return callCoScheduler<EvaluatePlanResponse>(connection, (client) => (metadata, callOptions, callback) => client.evaluatePlan(request, metadata, callOptions, callback), options.signal);
}
