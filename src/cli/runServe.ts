import { CoschedServer } from '../server/CoschedServer.js';
import { createLogger } from '../server/createLogger.js';
import { exitCodes } from './exitCodes.js';
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
  let server: CoschedServer;
  try {
    server = await CoschedServer.start(config.server, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cosched could not start');
    throw error;
  }
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  try {
    await new Promise<void>((resolve) => {
      let received = 0;
      onSignal = (signal) => {
        received++;
        logger.info({ signal }, received === 1 ? 'signal received: shutting down gracefully' : 'second signal: stopping now');
        if (received === 1) void server.shutdown().then(() => resolve());
        else void server.forceShutdown();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  } finally {
    if (onSignal) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }
  return exitCodes.ok;
}
