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
import { RequestPrepPool } from './RequestPrepPool.js';
import { CallTracker } from './CallTracker.js';
import { toGrpcStatus } from './toGrpcStatus.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { withTolerantDecoding } from './withTolerantDecoding.js';
import { createAuthInterceptor } from './createAuthInterceptor.js';
import { ClientLimiter } from './ClientLimiter.js';
import { limitClientsInterceptor } from './limitClientsInterceptor.js';
import { listenWithConnectionLimits, type ConnectionListener } from './listenWithConnectionLimits.js';
import { TokensFileWatcher } from '../auth/TokensFileWatcher.js';
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
 *   `config.queue` connects to the plan queue instead (QueuePlanExecutor), and a request
 *   preparation worker (RequestPrepPool: large Plan, WatchPlan and ValidatePlanRequest requests
 *   are decoded and prepared there, see DeferredRequest; it starts with the first such request
 *   and is closed on shutdown), binds, turns
 *   health SERVING and logs `cosched serving` with the bound host and port. On failure (port in
 *   use, unreadable TLS files, missing descriptor set, a worker that cannot start) it cleans up
 *   and rejects.
 * - With `config.tokensFile` (read first: a broken file makes `start()` reject at once), every
 *   call is authenticated and authorized before any handler runs (createAuthInterceptor; the file
 *   is watched and reloaded by TokensFileWatcher, closed on shutdown).
 * - `shutdown()`: health NOT_SERVING at once (open health watches get it, then end), no new calls
 *   or connections, calls in flight may finish for up to the grace period; then whatever is left
 *   is answered CANCELLED with ErrorInfo reason SERVER_SHUTTING_DOWN (the pool is closed first,
 *   its workers terminated; see cutCalls), the transport is cut up to 1 s later (forceShutdown),
 *   and `cosched
 *   stopped` is logged. Calling it again returns the same promise; `forceShutdown()` cuts a
 *   graceful shutdown short.
 */
export class CoschedServer {
  private stopping: Promise<ShutdownOutcome> | undefined;
  private calls: CallTracker | undefined;
  private tokens: TokensFileWatcher | undefined;
  private connections: ConnectionListener | undefined;
  private cutShort: (() => void) | undefined;
  private requestPrep: RequestPrepPool | undefined;

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
    // A broken tokens file stops the start here, before anything else is started.
    const tokens = config.tokensFile === undefined ? undefined : TokensFileWatcher.start(config.tokensFile, logger.child({ component: 'auth' }));
    const metrics = new PlanMetrics('server');
    // Every call in flight (for metrics, and for a status at the end of a shutdown's grace).
    const calls = new CallTracker((end) => metrics.observeCall(end));
    const pool = await startExecutor(config, logger, metrics).catch((error: unknown) => {
      tokens?.close();
      throw error;
    });
    metrics.watch(pool, 'queueStats' in pool ? () => (pool as QueueStatsSource).queueStats() : undefined);
    let metricsServer: MetricsServer | undefined;
    const server = new Server({
      'grpc.max_receive_message_length': config.maxMessageBytes,
      'grpc.max_send_message_length': -1,
      'grpc.max_connection_idle_ms': config.connectionIdleMs,
      'grpc.max_concurrent_streams': config.maxStreamsPerConnection,
      // The call tracker first: innermost, it sees every status, also those other interceptors send.
      // Then authentication (before the per-client limits: it sets the `cosched-client` they key on).
      interceptors: [
        calls.interceptor,
        createAuthInterceptor({ credentials: tokens && (() => tokens.current()), closeHealthAndReflection: config.closeHealthAndReflection === true, logger: logger.child({ component: 'auth' }) }),
        limitClientsInterceptor(clientLimiter(config), logger.child({ component: 'limits' }), (address, port) => connections?.noteRequest(address, port)),
      ],
    });
    let lock: DataDirLock | undefined;
    let store: PlannerStore | undefined;
    let runner: PlanRunner | undefined;
    let nightly: NightlyRuns | undefined;
    let connections: ConnectionListener | undefined;
    let requestPrep: RequestPrepPool | undefined;
    try {
      // Large Plan, WatchPlan, ValidatePlanRequest and EvaluatePlan requests are decoded and prepared (evaluated) there, off the main thread.
      requestPrep = RequestPrepPool.create({ workers: 1, onWorkerError: (error) => logger.error({ err: error }, 'request preparation worker failed; replacing it') });
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
        maxModelSize: config.maxModelSize,
        maxResponseBytes: config.maxResponseBytes,
        leaseMs: config.runLeaseMs,
        exclusiveStore: embedded,
        onRunEnded: (state, trigger) => metrics.observeRunEnded(state, trigger),
      });
      await runner.start();
      const planner = new StandingPlanner(store);
      // Undecodable request bytes reach our handlers as UndecodableRequest (INVALID_ARGUMENT), not grpc-js's INTERNAL;
      // large plan requests as DeferredRequest (decoded in requestPrep).
      server.addService(
        withTolerantDecoding(CoSchedulerServiceService, ['Plan', 'WatchPlan', 'ValidatePlanRequest', 'EvaluatePlan']),
        createCoSchedulerService({ pool, requestPrep, maxCells: config.maxCells, maxModelSize: config.maxModelSize, maxResponseBytes: config.maxResponseBytes, deadlineMarginMs: config.deadlineMarginMs, logger }),
      );
      server.addService(withTolerantDecoding(StandingPlannerServiceService), createStandingPlannerService({ planner, runner, logger }));
      server.addService(withTolerantDecoding(OperationsService), createOperationsService({ runner, logger }));
      if (config.nightly) nightly = await startNightlyRuns({ ...config.nightly, store, runner, logger: logger.child({ component: 'nightly' }) });
      const health = addHealthService(server, [coSchedulerServiceName, standingPlannerServiceName, operationsServiceName]);
      addReflectionService(server);
      connections = await listenWithConnectionLimits(server, config.host, config.port, credentials, config, logger.child({ component: 'connections' }));
      const port = connections.port;
      if (config.metricsPort !== undefined) metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort, logger.child({ component: 'metrics' }));
      health.setServing(true);
      logger.info(
        {
          host: config.host,
          port,
          tls: config.tls !== undefined,
          auth: tokens === undefined ? 'none' : config.tlsClientCaPath === undefined ? 'tokens' : 'tokens and client certificates',
          workers: config.queue === undefined ? pool.size : undefined,
          queue: config.queue === undefined ? undefined : describeQueue(config),
          maxQueuedPlans: config.maxQueuedPlans,
          maxMessageBytes: config.maxMessageBytes,
          maxCells: config.maxCells,
          workerHeapMb: config.queue === undefined ? config.workerHeapMb : undefined,
          maxModelSize: config.maxModelSize,
          maxResponseBytes: config.maxResponseBytes,
          perClient: { requestsPerSecond: config.requestsPerSecondPerClient, burst: config.requestBurstPerClient, maxPlansInFlight: config.maxPlansInFlightPerClient },
          connections: { max: config.maxConnections, maxPerIp: config.maxConnectionsPerIp, idleMs: config.connectionIdleMs, firstRequestTimeoutMs: config.firstRequestTimeoutMs },
          shutdownGraceMs: config.shutdownGraceMs,
          store: store.location,
          metricsPort: metricsServer?.port,
          nightly: nightly?.describe(),
          startMs: Math.round(performance.now() - startedMs),
        },
        'cosched serving',
      );
      const started = new CoschedServer(port, pool, store, runner, nightly, lock, metricsServer, server, health, config, logger);
      started.calls = calls;
      started.tokens = tokens;
      started.connections = connections;
      started.requestPrep = requestPrep;
      warnIfOpen(config, logger);
      return started;
    } catch (error) {
      tokens?.close();
      connections?.stopAccepting();
      server.forceShutdown();
      connections?.destroyAll();
      await metricsServer?.close();
      await nightly?.stop();
      await runner?.close();
      await store?.close();
      lock?.release();
      await requestPrep?.close();
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
    this.connections?.stopAccepting();
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
    if (forced) await this.cutCalls(drained);
    // Connections that never became gRPC sessions (a handshake in progress, a silent socket).
    this.connections?.destroyAll();
    this.tokens?.close();
    await this.store.close();
    this.lock?.release();
    await this.metricsServer?.close();
    await this.requestPrep?.close();
    await this.pool.close();
    const durationMs = Math.round(performance.now() - startedMs);
    this.logger.info({ forced, durationMs }, 'cosched stopped');
    return { forced, durationMs };
  }

  /**
   * The end of the grace period. The pool is closed first: its plans end CANCELLED with reason
   * SERVER_SHUTTING_DOWN, which their handlers answer and log as any error. Every call still in
   * flight after that (no plan of its own: a wait, a stream) gets the same status from the call
   * tracker (through toGrpcStatus). The connections get up to 1 s to carry those statuses out, and
   * then the transport is cut.
   */
  private async cutCalls(drained: Promise<boolean>): Promise<void> {
    const inFlight = this.calls?.inFlight ?? 0;
    await this.pool.close();
    await this.requestPrep?.close();
    // The handlers answer on their plans' rejection, a few microtasks on; let them.
    await new Promise((resolve) => setImmediate(resolve));
    const error = new CoschedError('CANCELLED', 'the server is shutting down and the grace period ended before the call was done', { reason: 'SERVER_SHUTTING_DOWN' });
    const answered = this.calls?.answerAll(toGrpcStatus(error, this.logger)) ?? 0;
    if (inFlight > 0) {
      this.logger.warn({ calls: inFlight, answeredByTracker: answered }, 'grace period over: calls still running answered CANCELLED (SERVER_SHUTTING_DOWN)');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
      clearTimeout(timer);
    }
    this.server.forceShutdown();
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
    maxHeapMb: config.workerHeapMb,
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
  if (config.tlsClientCaPath !== undefined && (!config.tls || config.tokensFile === undefined)) {
    throw new Error('a TLS client CA (mTLS) needs the server\'s TLS certificate and key and a tokens file (which gives certificates their roles)');
  }
  if (!config.tls) return ServerCredentials.createInsecure();
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  // With a client CA (mTLS), every client must present a certificate that CA signed.
  const clientCa = config.tlsClientCaPath === undefined ? null : read(config.tlsClientCaPath, 'client CA certificate');
  return ServerCredentials.createSsl(clientCa, [{ cert_chain: read(config.tls.certPath, 'certificate'), private_key: read(config.tls.keyPath, 'key') }], clientCa !== null);
}

/** Logs a warning when the server listens beyond loopback with no authentication at all. */
function warnIfOpen(config: ServerConfig, logger: Logger): void {
  if (config.tokensFile !== undefined) return;
  const host = config.host.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (!loopback) logger.warn({ host: config.host }, 'no authentication: anyone who reaches this address may call every method (set --tokens-file)');
}

/** The per-client limiter of `config` (limitClientsInterceptor), remembering at most 10,000 clients. */
function clientLimiter(config: ServerConfig): ClientLimiter {
  return new ClientLimiter({
    requestsPerSecond: config.requestsPerSecondPerClient,
    requestBurst: config.requestBurstPerClient,
    maxPlansInFlight: config.maxPlansInFlightPerClient,
    maxTrackedClients: 10_000,
  });
}
