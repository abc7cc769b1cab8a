import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueueWorker } from '../queue/QueueWorker.js';
import { createLogger } from '../server/createLogger.js';
import { PlanMetrics } from '../metrics/PlanMetrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/startMetricsServer.js';
import { exitCodes } from './exitCodes.js';
import { withoutCredentials } from '../tracing/withoutCredentials.js';
import { untilStopSignal } from './untilStopSignal.js';
import type { WorkerConfig } from './resolveWorkerConfig.js';

/**
 * The test hook of `cosched worker`, and of nothing else: when this variable names a module (a
 * path or file URL ending in .js; its .ts source is used when the .js is missing, as under tsx),
 * the worker's plan threads run it instead of planWorker.js. The tests use it to make a request
 * that crashes its thread every time (test/fixtures/poisonPlanWorker.ts). The worker logs a
 * warning at start when it is set. The server has no such hook.
 */
export const testPlanWorkerModuleVariable = 'COSCHED_TEST_PLAN_WORKER_MODULE';

/**
 * `cosched worker`: takes plans from the queue until SIGTERM or SIGINT (QueueWorker), then stops
 * gracefully: no new plans, running ones may finish within the grace period, the rest are given
 * back to the queue for another worker. A second signal gives them back at once. Logs JSON lines
 * to stdout (pino) like serve: `cosched worker ready`, then a line per plan (`plan started`,
 * `plan done`, `plan stopped`...), and the stop lines.
 *
 * Resolves with exit code 0 once stopped. Rejects when the worker cannot start (Redis not
 * reachable, plan threads that fail), after logging it.
 */
export async function runWorker(config: WorkerConfig, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createLogger(config.logLevel);
  if (config.otlpTracesUrl) logger.info({ otlpTracesUrl: withoutCredentials(config.otlpTracesUrl) }, 'exporting traces over OTLP/HTTP');
  const hook = env[testPlanWorkerModuleVariable];
  const planWorkerModule = hook ? (hook.startsWith('file:') ? new URL(hook) : pathToFileURL(resolve(hook))) : undefined;
  if (planWorkerModule) logger.warn({ module: planWorkerModule.href }, `test hook ${testPlanWorkerModuleVariable}: plan threads run this module instead of planWorker.js`);
  let worker: QueueWorker;
  const metrics = new PlanMetrics('worker');
  let metricsServer: MetricsServer | undefined;
  try {
    worker = await QueueWorker.start({ ...config.worker, logger, planWorkerModule, onPlanTimed: (timing) => metrics.observePlan(timing) });
    metrics.watch(worker.pool);
    if (config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(metrics, config.metricsHost, config.metricsPort, logger.child({ component: 'metrics' }));
      logger.info({ metricsPort: metricsServer.port }, 'serving metrics at /metrics');
    }
  } catch (error) {
    logger.fatal({ err: error }, 'cosched worker could not start');
    throw error;
  }
  try {
    await untilStopSignal(
      logger,
      { first: 'signal received: stopping gracefully', second: 'second signal: giving back the running plans now' },
      { graceful: () => worker.stop(config.shutdownGraceMs), now: () => worker.stop(0) },
    );
  } finally {
    await metricsServer?.close();
  }
  return exitCodes.ok;
}
