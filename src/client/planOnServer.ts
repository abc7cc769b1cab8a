import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { callCoScheduler } from './callCoScheduler.js';

/** How to reach the server. */
export interface ServerConnection {
  /** HOST:PORT. */
  address: string;
  /** A PEM CA certificate to trust: with it the connection uses TLS, without it plaintext. */
  tlsCaPath?: string;
  /** A PEM client certificate and its key (mTLS; TLS even without `tlsCaPath`): both or neither. */
  tlsCertPath?: string;
  tlsKeyPath?: string;
  /** A bearer token, sent as `authorization: Bearer TOKEN` with every call. */
  token?: string;
}

/**
 * Calls Plan on the cosched server at `connection.address` and resolves with its PlanResponse.
 * Aborting `signal` cancels the call. The client is closed before this settles. Responses of any
 * size are accepted.
 *
 * @throws CoschedError from fromGrpcError for every failed call (invalid request, limits, no
 *   server, cancellation, UNAUTHENTICATED...); Error when a TLS file cannot be read.
 */
export async function planOnServer(connection: ServerConnection, request: PlanRequest, options: { signal?: AbortSignal } = {}): Promise<PlanResponse> {
  return callCoScheduler<PlanResponse>(connection, (client) => (metadata, callOptions, callback) => client.plan(request, metadata, callOptions, callback), options.signal);
}
