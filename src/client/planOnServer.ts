import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { fromGrpcError } from './fromGrpcError.js';

/** How to reach the server. */
export interface ServerConnection {
  /** HOST:PORT. */
  address: string;
  /** A PEM CA certificate to trust: with it the connection uses TLS, without it plaintext. */
  tlsCaPath?: string;
}

/**
 * Calls Plan on the cosched server at `connection.address` and resolves with its PlanResponse.
 * Aborting `signal` cancels the call. The client is closed before this settles. Responses of any
 * size are accepted.
 *
 * @throws CoschedError from fromGrpcError for every failed call (invalid request, limits, no
 *   server, cancellation...); Error when the CA file cannot be read.
 */
export async function planOnServer(connection: ServerConnection, request: PlanRequest, options: { signal?: AbortSignal } = {}): Promise<PlanResponse> {
  const client = new CoSchedulerServiceClient(connection.address, channelCredentials(connection), { 'grpc.max_receive_message_length': -1 });
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

function channelCredentials(connection: ServerConnection): ChannelCredentials {
  if (connection.tlsCaPath === undefined) return credentials.createInsecure();
  try {
    return credentials.createSsl(readFileSync(connection.tlsCaPath));
  } catch (error) {
    throw new Error(`cannot read the TLS CA certificate ${connection.tlsCaPath}: ${(error as Error).message}`);
  }
}
