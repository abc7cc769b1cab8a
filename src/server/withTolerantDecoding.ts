import type { ServiceDefinition } from '@grpc/grpc-js';
import { DeferredRequest } from './DeferredRequest.js';
import { describeUndecodable } from './describeUndecodable.js';

/**
 * `service` with each method's requestDeserialize wrapped so that bytes the generated decoder
 * rejects (grpc-js would answer INTERNAL "Error deserializing request" and log nothing) become an
 * UndecodableRequest value instead, which handleUnaryCall and handleServerStreamingCall answer
 * INVALID_ARGUMENT with a BadRequest. Its field path is found by walking the bytes against the
 * method's input type in the descriptor set (see locateDecodeFault; the set is read on the first
 * failure), or `request` when the walk finds nothing. Decoding of good bytes is unchanged.
 * Wrap every service whose handlers come from those two helpers, in the one place that adds it.
 *
 * @param deferMethods method names (e.g. `Plan`) whose requests of `minBytes` or more are not
 *   decoded here but passed on as a DeferredRequest holding the bytes, for a handler that prepares
 *   them off the main thread (RequestPrepPool). Smaller requests, and other methods, decode as above.
 */
export function withTolerantDecoding<Definition extends ServiceDefinition>(
  service: Definition,
  deferMethods: readonly string[] = [],
  minBytes: number = DeferredRequest.minBytes,
): Definition {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    const defer = deferMethods.includes(method.path.slice(method.path.lastIndexOf('/') + 1));
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        if (defer && bytes.length >= minBytes) return new DeferredRequest(method.path, bytes);
        try {
          return decode(bytes);
        } catch (error) {
          return describeUndecodable(method.path, bytes, error);
        }
      },
    };
  }
  return wrapped as Definition;
}
