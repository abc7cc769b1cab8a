import { Metadata } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { tokenClientOptions } from './bearerTokenInterceptor.js';
import { channelCredentials } from './channelCredentials.js';
import { fromGrpcError } from './fromGrpcError.js';

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
  const client = new CoSchedulerServiceClient(connection.address, channelCredentials(connection), { 'grpc.max_receive_message_length': -1, ...tokenClientOptions(connection.token) });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<PlanResponse>((resolve, reject) => {
      const call = client.plan(request, new Metadata(), {}, (error, response) => (error ? reject(fromGrpcError(error, connection.address)) : resolve(response)));
      onAbort = () => call.cancel();
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
