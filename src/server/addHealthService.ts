import type { Server, ServerWritableStream, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** The health of a running server, as the standard health service reports it. */
export interface ServerHealth {
  /** Sets SERVING or NOT_SERVING for the server ("") and every named service at once. */
  setServing(serving: boolean): void;
  /**
   * Ends every open Watch stream (OK), after they have been sent the current status. Shutdown
   * calls it so that long-lived watches do not hold a graceful shutdown open.
   */
  endWatches(): void;
}

/**
 * Adds the standard grpc.health.v1.Health service (package grpc-health-check) to `server`, with
 * a status for the server as a whole ("") and for each of `services`, all NOT_SERVING until
 * `setServing(true)`. Check answers from memory on the main thread, so it stays fast while every
 * plan worker is busy. Unknown service names get NOT_FOUND.
 */
export function addHealthService(server: Pick<Server, 'addService'>, services: string[]): ServerHealth {
  const names = ['', ...services];
  const health = new HealthImplementation(Object.fromEntries(names.map((name) => [name, 'NOT_SERVING' satisfies ServingStatus])));
  const watches = new Set<ServerWritableStream<unknown, unknown>>();
  // Watch calls are tracked (by wrapping the package's handler) so that shutdown can end them.
  health.addToServer({
    addService: (definition: ServiceDefinition, implementation: UntypedServiceImplementation) => {
      const watch = implementation.watch as (call: ServerWritableStream<unknown, unknown>) => void;
      server.addService(definition, {
        ...implementation,
        watch: (call: ServerWritableStream<unknown, unknown>) => {
          watches.add(call);
          call.on('cancelled', () => watches.delete(call));
          watch(call);
        },
      });
    },
  } as unknown as Parameters<HealthImplementation['addToServer']>[0]);
  return {
    setServing(serving) {
      for (const name of names) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    endWatches() {
      for (const call of watches) if (!call.writableEnded) call.end();
      watches.clear();
    },
  };
}
