import { ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Admission, ClientLimiter } from './ClientLimiter.js';
import { clientIdentityKey } from './clientIdentityKey.js';
import { toGrpcStatus } from './toGrpcStatus.js';


/** Methods that start a plan: they count against the per-client plans in flight. */
export const planMethodPaths: ReadonlySet<string> = new Set([
  '/cosched.v1.CoSchedulerService/Plan',
  '/cosched.v1.CoSchedulerService/WatchPlan',
  '/cosched.v1.CoSchedulerService/CompareScenarios',
  '/cosched.v1.CoSchedulerService/SweepFrontier',
  '/cosched.v1.StandingPlannerService/StartPlanRun',
]);

/** Services never limited: health checks and reflection stay answered whatever a client does. */
const unlimitedPrefixes = ['/grpc.health.v1.', '/grpc.reflection.'];

/**
 * The key a call is limited under: the `cosched-client` metadata value when present (the
 * authentication interceptor, placed before this one, sets it to the authenticated caller and drops
 * client-sent values), else the peer's IP address (without its port), else `unknown`.
 */
export function clientKeyOf(metadata: Metadata, peer: { remoteAddress?: string }, getPeer: () => string): string {
  const named = metadata.get(clientIdentityKey)[0];
  if (typeof named === 'string' && named !== '') return named;
  if (peer.remoteAddress) return peer.remoteAddress;
  const address = getPeer();
  const ipv6 = /^\[([^\]]+)\]:\d+$/.exec(address);
  if (ipv6) return ipv6[1];
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}

/**
 * A grpc-js server interceptor that applies `limiter` to every call except health and reflection:
 * when the call's metadata arrives, the client (clientKeyOf) is admitted or refused. A refused call
 * ends at once with the RESOURCE_EXHAUSTED status toGrpcStatus builds (QuotaFailure naming the
 * limit, RetryInfo), before its request message is read or any handler runs; it is logged at debug
 * level. An admitted plan call holds its slot until its status is sent or it is cancelled.
 *
 * @param onRequest called for every call on arrival, with its connection (lets the connection
 *   listener tell a connection that sent a request from a silent one).
 */
export function limitClientsInterceptor(limiter: ClientLimiter, logger: Logger, onRequest?: (remoteAddress: string | undefined, remotePort: number | undefined) => void): ServerInterceptor {
  return (methodDescriptor, call) => {
    const path = methodDescriptor.path;
    const connection = call.getConnectionInfo();
    onRequest?.(connection.remoteAddress, connection.remotePort);
    if (unlimitedPrefixes.some((prefix) => path.startsWith(prefix))) return new ServerInterceptingCall(call);
    let admission: Admission | undefined;
    const release = () => admission?.release();
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const client = clientKeyOf(metadata, connection, () => call.getPeer());
        try {
          admission = limiter.admit(client, planMethodPaths.has(path));
        } catch (error) {
          const status = toGrpcStatus(error, logger);
          logger.debug({ method: path, client, code: 'RESOURCE_EXHAUSTED', details: status.details }, 'call refused');
          call.sendStatus(status);
          return;
        }
        next(metadata);
      })
      .withOnCancel(release)
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        release();
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
