import { Metadata } from '@grpc/grpc-js';
import { CoSchedulerServiceClient } from '../generated/cosched/v1/co_scheduler_service.js';
import { tokenClientOptions } from './bearerTokenInterceptor.js';
import type { UnaryInvoker } from './callUnary.js';
import { channelCredentials } from './channelCredentials.js';
import { fromGrpcError } from './fromGrpcError.js';
import type { ServerConnection } from './planOnServer.js';

/**
 * Makes one unary call of cosched.v1.CoSchedulerService on a client of its own (`method` picks
 * the call from it) and resolves with the response. Aborting `signal` cancels the call. The
 * client is closed before this settles. Responses of any size are accepted.
 *
 * @throws CoschedError from fromGrpcError for every failed call; Error when a TLS file cannot be read.
 */
export async function callCoScheduler<Response>(
  connection: ServerConnection,
  method: (client: CoSchedulerServiceClient) => UnaryInvoker<Response>,
  signal?: AbortSignal,
): Promise<Response> {
  const client = new CoSchedulerServiceClient(connection.address, channelCredentials(connection), { 'grpc.max_receive_message_length': -1, ...tokenClientOptions(connection.token) });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<Response>((resolve, reject) => {
      const call = method(client)(new Metadata(), {}, (error, response) => (error ? reject(fromGrpcError(error, connection.address)) : resolve(response)));
      onAbort = () => call.cancel();
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
