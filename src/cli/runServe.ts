import { CoschedServer } from '../server/CoschedServer.js';
import { createLogger } from '../server/createLogger.js';
import { exitCodes } from './exitCodes.js';
import { withoutCredentials } from '../tracing/withoutCredentials.js';
import { untilStopSignal } from './untilStopSignal.js';
import type { ServeConfig } from './resolveServeConfig.js';

/**
 * `cosched serve`: runs the gRPC server until SIGTERM or SIGINT, then shuts it down gracefully
 * (health NOT_SERVING, no new calls, calls in flight finish within the grace period, then the rest
 * are cut). A second signal cuts the grace period short. Logs JSON lines to stdout (pino): the
 * start line (`cosched serving`, with the bound port), one line per call, and the stop lines.
 *
 * Resolves with exit code 0 once the server has stopped. Rejects when the server cannot start
 * (port in use, unreadable TLS files...), after logging it.
 */
export async function runServe(config: ServeConfig): Promise<number> {
  const logger = createLogger(config.logLevel);
  if (config.otlpTracesUrl) logger.info({ otlpTracesUrl: withoutCredentials(config.otlpTracesUrl) }, 'exporting traces over OTLP/HTTP');
  let server: CoschedServer;
  try {
    server = await CoschedServer.start(config.server, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cosched could not start');
    throw error;
  }
  await untilStopSignal(
    logger,
    { first: 'signal received: shutting down gracefully', second: 'second signal: stopping now' },
    { graceful: () => server.shutdown(), now: () => server.forceShutdown() },
  );
  return exitCodes.ok;
}
