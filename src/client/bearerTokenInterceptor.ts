import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

/**
 * A grpc-js client interceptor that sends `authorization: Bearer TOKEN` with every call. (grpc-js
 * refuses call credentials on a plaintext channel, so the header is added here instead; over TLS
 * it works the same.)
 */
export function bearerTokenInterceptor(token: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/** The client options that send `token` on every call (none without a token). */
export function tokenClientOptions(token: string | undefined): { interceptors: Interceptor[] } {
  return { interceptors: token === undefined ? [] : [bearerTokenInterceptor(token)] };
}
