import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CoSchedulerServiceService } from '../generated/cosched/v1/co_scheduler_service.js';
import { StandingPlannerServiceService } from '../generated/cosched/v1/standing_planner_service.js';
import { OperationsService } from '../generated/google/longrunning/operations.js';
import { defaultQueueName } from '../queue/queueNames.js';
import { redactRedisUrl } from '../queue/redactRedisUrl.js';
import { startNightlyRuns, type NightlyRuns } from '../standing/startNightlyRuns.js';
import { PlanRunner } from '../standing/PlanRunner.js';
import { StandingPlanner } from '../standing/StandingPlanner.js';
import { openStore } from '../store/openStore.js';
import type { PlannerStore } from '../store/PlannerStore.js';
import { createOperationsService } from './createOperationsService.js';
import { createStandingPlannerService } from './createStandingPlannerService.js';
import { lockDataDir, type DataDirLock } from './lockDataDir.js';
import { addHealthService, type ServerHealth } from './addHealthService.js';
import { addReflectionService } from './addReflectionService.js';
import { createCoSchedulerService } from './createCoSchedulerService.js';
import type { PlanExecutor } from './PlanExecutor.js';
import { PlanWorkerPool } from './PlanWorkerPool.js';
import { PlanMetrics, type QueueCounts } from '../metrics/PlanMetrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/startMetricsServer.js';
import type { ServerConfig } from './ServerConfig.js';

/** The fully qualified name of cosched's service, as health and reflection know it. */
export const coSchedulerServiceName = 'cosched.v1.CoSchedulerService';
/** The standing planner's services, as health knows them. */
export const standingPlannerServiceName = 'cosched.v1.StandingPlannerService';
export const operationsServiceName = 'google.longrunning.Operations';

/** How a shutdown ended. */
export interface ShutdownOutcome {
  /** True when calls were still running at the end of the grace period and were cut. */
  forced: boolean;
  durationMs: number;
}

/**
 * A running cosched gRPC server: CoSchedulerService on a plan worker pool, standard health,
 * reflection, and a graceful shutdown.
 *
 * Lifecycle:
 * - `start()` starts the worker pool (waiting until every worker has loaded HiGHS), or with
 *   `config.queue` connects to the plan queue instead (QueuePlanExecutor), binds, turns
 *   health SERVING and logs `cosched serving` with the bound host and port. On failure (port in
 *   use, unreadable TLS files, missing descriptor set, a worker that cannot start) it cleans up
 *   and rejects.
 * - `shutdown()`: health NOT_SERVING at once (open health watches get it, then end), no new calls
 *   or connections, calls in flight may finish for up to the grace period; then whatever is left
 *   is cut (forceShutdown; their workers are terminated), the pool is closed, and `cosched
 *   stopped` is logged. Calling it again returns the same promise; `forceShutdown()` cuts a
 *   graceful shutdown short.
 */
export class CoschedServer {
  private stopping: Promise<ShutdownOutcome> | undefined;
  private cutShort: (() => void) | undefined;

  private constructor(
    /** The port actually bound (useful with port 0). */
    readonly port: number,
    readonly pool: PlanExecutor,
    /** The standing planner's store, its plan runs and nightly schedule. */
    readonly store: PlannerStore,
    readonly runner: PlanRunner,
    private readonly nightly: NightlyRuns | undefined,
    private readonly lock: DataDirLock | undefined,
    /** The Prometheus endpoint, when `metricsPort` is set (its bound port: `metricsServer.port`). */
    readonly metricsServer: MetricsServer | undefined,
    private readonly server: Server,
    private readonly health: ServerHealth,
    private readonly config: ServerConfig,
    private readonly logger: Logger,
  ) {}

  /** Starts a server; see the class contract. */
  static async start(config: ServerConfig, logger: Logger): Promise<CoschedServer> {
    const startedMs = performance.now();
    const credentials = serverCredentials(config);
    const metrics = new PlanMetrics('server');
    const pool = await startExecutor(config, logger, metrics);
    metrics.watch(pool, 'queueStats' in pool ? () => (pool as QueueStatsSource).queueStats() : undefined);
    let metricsServer: MetricsServer | undefined;
    const server = new Server({
      'grpc.max_receive_message_length': config.maxMessageBytes,
      'grpc.max_send_message_length': -1,
    });
    let lock: DataDirLock | undefined;
    let store: PlannerStore | undefined;
    let runner: PlanRunner | undefined;
    let nightly: NightlyRuns | undefined;
    try {
      const embedded = config.store === undefined || config.store === '';
      if (embedded) lock = lockDataDir(config.dataDir);
      store = await openStore({ url: embedded ? undefined : config.store, dataDir: config.dataDir });
      const runnerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
      runner = new PlanRunner({
        store,
        plan: (problem, options) => pool.plan(problem, options),
        logger: logger.child({ component: 'plan-runs' }),
        runnerId,
        maxCells: config.maxCells,
        leaseMs: config.runLeaseMs,
        exclusiveStore: embedded,
        onRunEnded: (state, trigger) => metrics.observeRunEnded(state, trigger),
      });
      await runner.start();
      const planner = new StandingPlanner(store);
      server.addService(
        CoSchedulerServiceService,
        createCoSchedulerService({ pool, maxCells: config.maxCells, deadlineMarginMs: config.deadlineMarginMs, logger }),
      );
      server.addService(StandingPlannerServiceService, createStandingPlannerService({ planner, runner, logger }));
      server.addService(OperationsService, createOperationsService({ runner, logger }));
      if (config.nightly) nightly = await startNightlyRuns({ ...config.nightly, store, runner, logger: logger.child({ component: 'nightly' }) });
      const health = addHealthService(server, [coSchedulerServiceName, standingPlannerServiceName, operationsServiceName]);
      addReflectionService(server);
      const port = await bind(server, config.host, config.port, credentials);
      if (config.metricsPort !== undefined) metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort, logger.child({ component: 'metrics' }));
      health.setServing(true);
      logger.info(
        {
          host: config.host,
          port,
          tls: config.tls !== undefined,
          workers: config.queue === undefined ? pool.size : undefined,
          queue: config.queue === undefined ? undefined : describeQueue(config),
          maxQueuedPlans: config.maxQueuedPlans,
          maxMessageBytes: config.maxMessageBytes,
          maxCells: config.maxCells,
          shutdownGraceMs: config.shutdownGraceMs,
          store: store.location,
          metricsPort: metricsServer?.port,
          nightly: nightly?.describe(),
          startMs: Math.round(performance.now() - startedMs),
        },
        'cosched serving',
      );
      return new CoschedServer(port, pool, store, runner, nightly, lock, metricsServer, server, health, config, logger);
    } catch (error) {
      server.forceShutdown();
      await metricsServer?.close();
      await nightly?.stop();
      await runner?.close();
      await store?.close();
      lock?.release();
      await pool.close();
      throw error;
    }
  }

  /** Stops gracefully within `graceMs` (default: the configured grace); see the class contract. */
  shutdown(graceMs: number = this.config.shutdownGraceMs): Promise<ShutdownOutcome> {
    this.stopping ??= this.stop(graceMs);
    return this.stopping;
  }

  /** Stops now: cuts calls in flight (a graceful shutdown in progress ends at once). */
  forceShutdown(): Promise<ShutdownOutcome> {
    const stopping = this.shutdown(0);
    this.cutShort?.();
    return stopping;
  }

  private async stop(graceMs: number): Promise<ShutdownOutcome> {
    const startedMs = performance.now();
    this.health.setServing(false);
    this.health.endWatches();
    const { busy, queued } = this.pool.stats();
    this.logger.info({ graceMs, plansRunning: busy, plansQueued: queued }, 'cosched shutting down');
    // A plan run in progress is stopped and marked failed (its inputs stay; a new run re-plans them).
    await this.nightly?.stop();
    await this.runner.close();
    const drained = new Promise<boolean>((resolve) => this.server.tryShutdown(() => resolve(false)));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => {
      this.cutShort = () => resolve(true);
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const forced = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    if (forced) this.server.forceShutdown();
    await this.store.close();
    this.lock?.release();
    await this.metricsServer?.close();
    await this.pool.close();
    const durationMs = Math.round(performance.now() - startedMs);
    this.logger.info({ forced, durationMs }, 'cosched stopped');
    return { forced, durationMs };
  }
}

/**
 * Where the server's plans run: with `config.queue`, a QueuePlanExecutor on that Redis (loaded
 * only then); otherwise its own PlanWorkerPool, started and ready.
 */
async function startExecutor(config: ServerConfig, logger: Logger, metrics: PlanMetrics): Promise<PlanExecutor> {
  if (config.queue !== undefined) {
    const { QueuePlanExecutor } = await import('../queue/QueuePlanExecutor.js');
    return QueuePlanExecutor.start({
      url: config.queue,
      queueName: config.queueName,
      maxQueuedPlans: config.maxQueuedPlans,
      logger: logger.child({ component: 'plan-queue' }),
      onPlanTimed: (timing) => metrics.observePlan(timing),
    });
  }
  return PlanWorkerPool.start({
    workers: config.workers,
    maxQueuedPlans: config.maxQueuedPlans,
    onWorkerError: (error) => logger.error({ err: error }, 'plan worker failed; replacing it'),
    onPlanTimed: (timing) => metrics.observePlan(timing),
  });
}

/** What a queue executor adds for metrics. */
interface QueueStatsSource {
  queueStats(): Promise<QueueCounts>;
}

/** The queue for the start log line: its Redis (no password) and name. */
function describeQueue(config: ServerConfig): string {
  return `${redactRedisUrl(config.queue ?? '')} ${config.queueName ?? defaultQueueName}`;
}

function serverCredentials(config: ServerConfig): ServerCredentials {
  if (!config.tls) return ServerCredentials.createInsecure();
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  return ServerCredentials.createSsl(null, [{ cert_chain: read(config.tls.certPath, 'certificate'), private_key: read(config.tls.keyPath, 'key') }], false);
}

/** Binds `host:port` (IPv6 hosts in brackets) and resolves with the bound port. */
function bind(server: Server, host: string, port: number, credentials: ServerCredentials): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, boundPort) => {
      if (error) reject(new Error(`cannot listen on ${address}: ${error.message}`));
      else resolve(boundPort);
    });
  });
}
