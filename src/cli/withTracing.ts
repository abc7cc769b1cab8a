import { readPackageVersion } from './readPackageVersion.js';

/**
 * Runs `run` (the body of `serve` or `worker`) with OpenTelemetry tracing to `tracesUrl` when it
 * is set, and just runs it otherwise: the tracing modules are imported only then, so commands
 * without an endpoint load nothing of OpenTelemetry. Tracing starts before `run` imports
 * @grpc/grpc-js (see startTracing; `instrumentGrpc` for serve); when `run` settles, the buffered
 * spans are exported, waiting at most `flushTimeoutMs`, and its value or error is passed on.
 */
export async function withTracing(tracesUrl: string | undefined, options: { instrumentGrpc: boolean; flushTimeoutMs?: number }, run: () => Promise<number>): Promise<number> {
  if (tracesUrl === undefined) return run();
  const { startTracing } = await import('../tracing/startTracing.js');
  const tracing = await startTracing({ tracesUrl, serviceVersion: readPackageVersion(), instrumentGrpc: options.instrumentGrpc });
  try {
    return await run();
  } finally {
    await tracing.shutdown(options.flushTimeoutMs ?? 5_000);
  }
}
