import type { ProgressEnvelope } from './PlanJobData.js';
import { withinMs } from './withinMs.js';
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanExecutor } from '../server/PlanExecutor.js';
import type { PlanWorkerPoolStats, PoolPlanOptions } from '../server/PlanWorkerPool.js';
import { toPlanJobData, type PlanJobData } from './PlanJobData.js';
import { decodeQueueFailure } from './QueueFailure.js';
import { parseQueueJson } from './queueJson.js';
import { defaultQueueName, planJobName, queueKeys, queueNameProblem } from './queueNames.js';
import { parseRedisUrl, type RedisAddress } from './parseRedisUrl.js';
import { openRedis, redisOptions, waitForRedis } from './redisConnection.js';
import { workerRegistry } from './workerRegistry.js';

/** Settings of a QueuePlanExecutor. */
export interface QueuePlanExecutorOptions {
  /** The Redis holding the queue: `redis://HOST:PORT[/DB]` or `rediss://` (parseRedisUrl). */
  url: string;
  /** The queue's name; servers and workers must agree. Default `cosched-plans`. */
  queueName?: string;
  /** This server's plans that may wait in the queue for a worker; one more is RESOURCE_EXHAUSTED. Default 64. */
  maxQueuedPlans?: number;
  /** Tries of a plan whose worker thread crashed (BullMQ `attempts`), >= 1. Default 3. */
  attempts?: number;
  /** How long start() waits for Redis. Default 10_000 ms. */
  connectTimeoutMs?: number;
  /** How long a new plan waits for a lost connection to come back before UNAVAILABLE. Default 2_000 ms. */
  reconnectWaitMs?: number;
  /** How often the queue's counts and the workers alive are refreshed (stats(), size). Default 2_000 ms. */
  statsIntervalMs?: number;
  /** A plan pending longer than this is looked up in Redis at each refresh, in case its end event was missed. Default 10_000 ms. */
  reconcileAfterMs?: number;
  /**
   * With no worker alive for this long, plans waiting for one fail UNAVAILABLE (and new ones at
   * once) instead of waiting forever. Default 60_000 ms.
   */
  noWorkerGraceMs?: number;
  /** Connection losses and recoveries, workers lost mid-plan. Default: silent. */
  logger?: Logger;
  /** Told how long each plan of this server waited and ran (for metrics). A throwing listener is ignored. */
  onPlanTimed?: (timing: PlanTiming) => void;
}

/** How one plan of this server went through the queue, timed on this server's clock. */
export interface PlanTiming {
  /** From enqueueing to a worker starting it (the first start when it was retried); to its end when no worker started it. */
  waitMs: number;
  /** From a worker starting it to its end; 0 when no worker started it. */
  solveMs: number;
  /**
   * completed: a result came back; failed: the worker's error came back; cancelled: the caller
   * left (cancel or deadline); unavailable: the connection to Redis was lost; shutdown: the
   * server closed the executor.
   */
  outcome: 'completed' | 'failed' | 'cancelled' | 'unavailable' | 'shutdown';
}

/** The queue as a whole (every server's plans) and this server's part, for metrics. */
export interface QueueStats {
  /** Jobs waiting for a worker (BullMQ `waiting` + `prioritized`). */
  waiting: number;
  /** Jobs a worker is running. */
  active: number;
  /** Jobs waiting to be retried later. */
  delayed: number;
  /** Failed jobs still kept (a bounded number, for inspection). */
  failed: number;
  /** `cosched worker` processes alive (heard from within workerSilenceMs). */
  workersAlive: number;
  /** Their plan worker threads, all together. */
  workerThreads: number;
  /** This server's plans waiting for a worker, and running on one. */
  plansWaiting: number;
  plansRunning: number;
}

interface PendingPlan {
  jobId: string;
  onEvent?: (event: PlanEvent) => void;
  resolve: (result: PlanResult) => void;
  reject: (error: unknown) => void;
  /** performance.now() when enqueued, and when a worker first started it. */
  enqueuedMs: number;
  startedMs?: number;
  /** The latest attempt whose progress events were passed on. */
  attempt?: number;
  /** Removes the abort listener; called once, when the plan settles. */
  cleanup: () => void;
}

/** How long a cancelled job's marker stays in Redis (a worker about to take the job sees it). */
const cancelMarkerTtlMs = 3_600_000;
/** Finished jobs kept in Redis for inspection: for a minute, at most this many. */
const keptCompleted = { age: 60, count: 100 };
/** Failed jobs (each holds its Problem, MBs for a week-ahead plan) are kept an hour, at most 100. */
const keptFailed = { age: 3_600, count: 100 };


/**
 * Runs plans on `cosched worker` processes through a BullMQ queue in Redis, so that any number of
 * stateless workers, on any machines, plan for any number of server replicas. PlanExecutor's
 * contract holds across the queue:
 *
 * - `plan()` adds a job (the Problem and the call's deadline as JSON, Infinity kept) and waits for
 *   its result through QueueEvents: the result (or the worker's error, a CoschedError keeping its
 *   code) comes back in the job's `completed` (`failed`) event, the plan's events in its
 *   `progress` events, in order. Only the waiting caller ties a plan to this replica: any worker
 *   runs it, and every replica reads the same events.
 * - Aborting the signal rejects at once with its reason; the job is marked cancelled, removed if
 *   still waiting, and its worker (told on a pub/sub channel) stops the solve.
 * - A worker thread that crashes fails its attempt and the plan is tried again, at most
 *   `attempts` times, then rejects INTERNAL; a worker process that dies is detected by BullMQ's
 *   stalled-job check and its plan given to another worker (the workers' maxStalledCount bounds
 *   it, then INTERNAL PLAN_WORKER_LOST). Planner errors and cancellations are never retried.
 * - Losing the connection to Redis rejects every plan in flight with UNAVAILABLE naming the
 *   address (their jobs are cancelled once it is back); a new plan waits up to
 *   `reconnectWaitMs` for the connection, then is UNAVAILABLE. ioredis reconnects by itself:
 *   no restart is needed.
 * - More than `maxQueuedPlans` plans of this server waiting for a worker: RESOURCE_EXHAUSTED.
 * - `size` is the plan worker threads of the workers alive (at least 1), refreshed every
 *   `statsIntervalMs`, so a what-if call fans out to the whole fleet.
 * - `close()` rejects the plans in flight (CANCELLED, shutting down), cancels their jobs and
 *   closes the connections.
 */
export class QueuePlanExecutor implements PlanExecutor {
  readonly queueName: string;
  readonly address: RedisAddress;
  private readonly pending = new Map<string, PendingPlan>();
  /** Jobs whose callers were answered while Redis was unreachable: cancelled once it is back. */
  private readonly abandoned = new Set<string>();
  /** Jobs this server cancelled (their failed event removes them from Redis). */
  private readonly cancelled = new Set<string>();
  private snapshot: Omit<QueueStats, 'plansWaiting' | 'plansRunning'> = { waiting: 0, active: 0, delayed: 0, failed: 0, workersAlive: 0, workerThreads: 0 };
  /** performance.now() since when no worker has been alive (undefined while one is). */
  private noWorkerSinceMs: number | undefined = performance.now();
  private statsTimer: NodeJS.Timeout | undefined;
  private lastConnectionError = '';
  private connectionLost = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: QueuePlanExecutorOptions,
    address: RedisAddress,
    queueName: string,
    private readonly redis: Redis,
    private readonly queue: Queue<PlanJobData, string>,
    private readonly events: QueueEvents,
    private readonly logger: Logger | undefined,
  ) {
    this.address = address;
    this.queueName = queueName;
  }

  /**
   * Connects to the queue and starts listening to its events.
   * @throws RangeError for a bad URL, queue name or count; Error naming the address when Redis
   *   does not answer within `connectTimeoutMs`.
   */
  static async start(options: QueuePlanExecutorOptions): Promise<QueuePlanExecutor> {
    const address = parseRedisUrl(options.url);
    const queueName = options.queueName ?? defaultQueueName;
    const nameProblem = queueNameProblem(queueName);
    if (nameProblem) throw new RangeError(`queue name '${queueName}': ${nameProblem}`);
    for (const [name, value, min] of [['maxQueuedPlans', options.maxQueuedPlans, 0], ['attempts', options.attempts, 1]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
    }
    const logger = options.logger;
    // Commands fail at once while the connection is down (offline queue off): a plan is then
    // refused with UNAVAILABLE instead of hanging until Redis is back.
    const redis = openRedis(address, `cosched:server:${queueName}`, { offlineQueue: false });
    const executor: { value?: QueuePlanExecutor } = {};
    redis.on('error', (error: Error) => executor.value?.onConnectionError(error));
    let queue: Queue<PlanJobData, string> | undefined;
    let events: QueueEvents | undefined;
    try {
      await waitForRedis(redis, address, options.connectTimeoutMs ?? 10_000);
      queue = new Queue<PlanJobData, string>(queueName, { connection: redis, streams: { events: { maxLen: 10_000 } } });
      queue.on('error', (error) => logger?.debug({ err: error }, 'plan queue error'));
      await queue.waitUntilReady();
      // Read events from the stream's current end, fixed before any job is added, so that no
      // event of this server's jobs can come before the reader.
      const [last] = await redis.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
      events = new QueueEvents(queueName, { connection: redisOptions(address, `cosched:server-events:${queueName}`), autorun: false, lastEventId: last?.[0] ?? '0-0' });
      events.on('error', (error) => logger?.debug({ err: error }, 'plan queue events error'));
      await events.waitUntilReady();
      const self = new QueuePlanExecutor(options, address, queueName, redis, queue, events, logger);
      executor.value = self;
      self.listen();
      void events.run().catch((error: unknown) => logger?.error({ err: error }, 'plan queue events stopped'));
      await self.refresh().catch(() => undefined);
      self.statsTimer = setInterval(() => void self.refresh().catch(() => undefined), options.statsIntervalMs ?? 2_000);
      self.statsTimer.unref();
      return self;
    } catch (error) {
      await events?.close().catch(() => undefined);
      await queue?.close().catch(() => undefined);
      redis.disconnect();
      throw error;
    }
  }

  /** The plan worker threads of the workers alive (at least 1): what a what-if call hands out at once. */
  get size(): number {
    return Math.max(1, this.snapshot.workerThreads);
  }

  /** Plans `problem` on a worker; see the class contract. */
  async plan(problem: Problem, options: PoolPlanOptions = {}): Promise<PlanResult> {
    const { signal } = options;
    if (this.closing) throw shuttingDown();
    if (signal?.aborted) throw abortReason(signal);
    const maxQueuedPlans = this.options.maxQueuedPlans ?? 64;
    const waiting = this.plansWaiting();
    // As with the pool, plans an idle worker thread is about to take do not count as queued.
    const idleThreads = Math.max(0, this.snapshot.workerThreads - this.snapshot.active);
    if (waiting >= maxQueuedPlans + idleThreads) {
      const description = `${waiting} plans of this server are already waiting in the queue ${this.queueName} for a worker; this server queues at most ${maxQueuedPlans}`;
      throw new CoschedError('RESOURCE_EXHAUSTED', `the plan queue is full: ${description}`, { reason: 'PLAN_QUEUE_FULL', violations: [{ field: 'max_queued_plans', description }] });
    }
    const noWorker = this.noWorkerError();
    if (noWorker) throw noWorker;
    const data = toPlanJobData(problem, options);
    await this.connected(signal);
    if (this.closing) throw shuttingDown();
    if (signal?.aborted) throw abortReason(signal);
    const jobId = randomUUID();
    return new Promise<PlanResult>((resolve, reject) => {
      const onAbort = () => this.abandon(pending, abortReason(signal!));
      const pending: PendingPlan = {
        jobId,
        onEvent: options.onEvent,
        resolve,
        reject,
        enqueuedMs: performance.now(),
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(jobId, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue
        .add(planJobName, data, { jobId, attempts: this.options.attempts ?? 3, removeOnComplete: keptCompleted, removeOnFail: keptFailed })
        .catch((error: unknown) => {
          if (this.redis.status === 'ready') {
            // Redis answered with an error: a bug, not an outage.
            this.settle(pending, 'failed', () => reject(error));
            return;
          }
          this.abandoned.add(jobId);
          this.settle(pending, 'unavailable', () => reject(this.unavailable(`the plan could not be queued (${messageOf(error)})`)));
        });
    });
  }

  /** This server's plans running and waiting, the fleet's threads; see QueueStats for the queue's. */
  stats(): PlanWorkerPoolStats {
    const queued = this.plansWaiting();
    const busy = this.pending.size - queued;
    return { workers: this.snapshot.workerThreads, busy, idle: Math.max(0, this.snapshot.workerThreads - this.snapshot.active), starting: 0, queued };
  }

  /**
   * The queue's counts and the workers alive, read from Redis now (also refreshes `size` and
   * `stats()`).
   * @throws when Redis cannot be reached.
   */
  async queueStats(): Promise<QueueStats> {
    await this.refresh();
    const plansWaiting = this.plansWaiting();
    return { ...this.snapshot, plansWaiting, plansRunning: this.pending.size - plansWaiting };
  }

  /** Rejects the plans in flight, cancels their jobs, closes the connections; see the class contract. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.statsTimer);
    const cancels: Promise<void>[] = [];
    for (const pending of [...this.pending.values()]) {
      this.settle(pending, 'shutdown', () => pending.reject(shuttingDown()));
      cancels.push(this.cancelJob(pending.jobId));
    }
    // Never wait long on a Redis that is gone: the stalled-job check and the deadline guard the rest.
    await withinMs(Promise.allSettled(cancels), 1_000);
    await withinMs(Promise.allSettled([this.events.close(), this.queue.close()]), 2_000);
    this.redis.disconnect();
  }

  private listen(): void {
    this.events.on('active', ({ jobId }) => {
      const pending = this.pending.get(jobId);
      if (pending && pending.startedMs === undefined) pending.startedMs = performance.now();
    });
    this.events.on('progress', ({ jobId, data }) => {
      const pending = this.pending.get(jobId);
      if (!pending?.onEvent || typeof data !== 'string') return;
      try {
        const { attempt, event } = parseQueueJson<ProgressEnvelope>(data);
        // After a retry (a stalled worker, a crashed thread, a plan handed back) the plan starts
        // again: the earlier attempt's late events would interleave with the new ones.
        if (attempt < (pending.attempt ?? 0)) return;
        pending.attempt = attempt;
        pending.onEvent(event);
      } catch {
        // A failing listener (say, a closed stream) must not end the plan or the process.
      }
    });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const pending = this.pending.get(jobId);
      if (!pending) return;
      let result: PlanResult;
      try {
        result = parseQueueJson<PlanResult>(returnvalue);
      } catch (error) {
        this.settle(pending, 'failed', () => pending.reject(new Error(`the plan's result from the queue is not queue JSON: ${messageOf(error)}`)));
        return;
      }
      this.settle(pending, 'completed', () => pending.resolve(result));
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      const pending = this.pending.get(jobId);
      if (pending) this.settleFailed(pending, failedReason);
      // A job this server cancelled failed on its worker: it holds nothing worth keeping.
      else if (this.cancelled.delete(jobId)) void withinMs(this.queue.remove(jobId), 1_000);
    });
    this.events.on('stalled', ({ jobId }) => {
      if (this.pending.has(jobId)) this.logger?.warn({ job: jobId, queue: this.queueName }, "a plan's worker stopped while running it; the queue gives the plan to another worker");
    });
    this.redis.on('close', () => this.onConnectionLost());
    this.redis.on('ready', () => this.onConnectionBack());
  }

  private onConnectionError(error: Error): void {
    this.lastConnectionError = messageOf(error);
  }

  private onConnectionLost(): void {
    if (this.closing) return;
    if (!this.connectionLost) this.logger?.warn({ queue: this.queueName, redis: this.address.display, plansInFlight: this.pending.size, err: this.lastConnectionError || undefined }, 'lost the connection to the plan queue');
    this.connectionLost = true;
    for (const pending of [...this.pending.values()]) {
      this.abandoned.add(pending.jobId);
      this.settle(pending, 'unavailable', () => pending.reject(this.unavailable('the connection was lost while the plan was queued or running; its outcome is unknown')));
    }
  }

  private onConnectionBack(): void {
    if (!this.connectionLost) return;
    this.connectionLost = false;
    this.lastConnectionError = '';
    this.logger?.info({ queue: this.queueName, redis: this.address.display }, 'the plan queue is reachable again');
    for (const jobId of [...this.abandoned]) void this.cancelJob(jobId);
  }

  /** Resolves when the connection is up, waiting at most reconnectWaitMs; else UNAVAILABLE (or the signal's reason). */
  private connected(signal: AbortSignal | undefined): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    const waitMs = this.options.reconnectWaitMs ?? 2_000;
    return new Promise<void>((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const onReady = () => done(resolve);
      const onAbort = () => done(() => reject(abortReason(signal!)));
      const timer = setTimeout(() => done(() => reject(this.unavailable(`no connection within ${waitMs / 1000} s`))), waitMs);
      this.redis.on('ready', onReady);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Rejects `pending` with `reason` now and cancels its job (see cancelJob). */
  private abandon(pending: PendingPlan, reason: Error): void {
    if (!this.settle(pending, 'cancelled', () => pending.reject(reason))) return;
    void this.cancelJob(pending.jobId);
  }

  /**
   * Stops job `jobId` wherever it is: marks it cancelled (a worker about to take it sees the mark
   * and does not start it), tells every worker on the cancel channel (the one running it aborts
   * the solve), and removes it if it is still waiting. Best effort: when Redis cannot be reached,
   * the job is cancelled once it is back.
   */
  private async cancelJob(jobId: string): Promise<void> {
    const keys = queueKeys(this.queueName);
    this.cancelled.add(jobId);
    // Forgotten after a while: its failed event may never come (say, it was still waiting and removed).
    setTimeout(() => this.cancelled.delete(jobId), 600_000).unref();
    try {
      await this.redis.multi().set(keys.cancelled(jobId), '1', 'PX', cancelMarkerTtlMs).publish(keys.cancelChannel, jobId).exec();
      await this.queue.remove(jobId);
      this.abandoned.delete(jobId);
    } catch (error) {
      this.abandoned.add(jobId);
      this.logger?.debug({ err: error, job: jobId }, 'could not cancel a plan job yet');
    }
  }

  /** Ends `pending` with the worker's error; a cancellation or deadline counts as cancelled. */
  private settleFailed(pending: PendingPlan, failedReason: string): void {
    const error = decodeQueueFailure(failedReason);
    const code = error instanceof CoschedError ? error.code : undefined;
    this.settle(pending, code === 'CANCELLED' || code === 'DEADLINE_EXCEEDED' ? 'cancelled' : 'failed', () => pending.reject(error));
  }

  /**
   * Settles plans whose end event this server missed (the events stream trimmed while its reader
   * lagged, a job removed by hand, the reader stopped): each plan pending longer than
   * `reconcileAfterMs` is looked up in Redis; a finished job settles from its stored result or
   * error, a vanished one rejects INTERNAL (PLAN_JOB_LOST). Without it such a caller would wait
   * forever.
   */
  private async reconcile(): Promise<void> {
    const nowMs = performance.now();
    for (const pending of [...this.pending.values()]) {
      if (nowMs - pending.enqueuedMs < (this.options.reconcileAfterMs ?? 10_000)) continue;
      const job = await Job.fromId<PlanJobData, string>(this.queue, pending.jobId);
      if (this.pending.get(pending.jobId) !== pending) continue;
      if (!job) {
        this.settle(pending, 'failed', () =>
          pending.reject(new CoschedError('INTERNAL', `the plan's job ${pending.jobId} is no longer in the queue ${this.queueName} (removed, or Redis lost its data)`, { reason: 'PLAN_JOB_LOST' })),
        );
        continue;
      }
      const state = await job.getState();
      if (this.pending.get(pending.jobId) !== pending) continue;
      if (state === 'completed' && typeof job.returnvalue === 'string') {
        let result: PlanResult;
        try {
          result = parseQueueJson<PlanResult>(job.returnvalue);
        } catch (error) {
          this.settle(pending, 'failed', () => pending.reject(new Error(`the plan's result from the queue is not queue JSON: ${messageOf(error)}`)));
          continue;
        }
        this.settle(pending, 'completed', () => pending.resolve(result));
      } else if (state === 'failed') {
        this.settleFailed(pending, job.failedReason);
      }
    }
  }

  /** Ends `pending` with `outcome` once; false when it had already ended. */
  private settle(pending: PendingPlan, outcome: PlanTiming['outcome'], end: () => void): boolean {
    if (this.pending.get(pending.jobId) !== pending) return false;
    this.pending.delete(pending.jobId);
    pending.cleanup();
    const endMs = performance.now();
    const timing: PlanTiming = {
      waitMs: (pending.startedMs ?? endMs) - pending.enqueuedMs,
      solveMs: pending.startedMs === undefined ? 0 : endMs - pending.startedMs,
      outcome,
    };
    end();
    try {
      this.options.onPlanTimed?.(timing);
    } catch {
      // Metrics must not break planning.
    }
    return true;
  }

  private plansWaiting(): number {
    let waiting = 0;
    for (const pending of this.pending.values()) if (pending.startedMs === undefined) waiting++;
    return waiting;
  }

  private async refresh(): Promise<void> {
    await this.reconcile();
    const [counts, workers] = await Promise.all([this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'), workerRegistry.alive(this.redis, this.queueName)]);
    this.snapshot = {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      workersAlive: workers.length,
      workerThreads: workers.reduce((sum, worker) => sum + worker.threads, 0),
    };
    if (workers.length > 0) this.noWorkerSinceMs = undefined;
    else this.noWorkerSinceMs ??= performance.now();
    this.failWaitingWithoutWorkers();
  }

  /** UNAVAILABLE when no worker has been alive for noWorkerGraceMs, else undefined. */
  private noWorkerError(): CoschedError | undefined {
    const graceMs = this.options.noWorkerGraceMs ?? 60_000;
    if (this.noWorkerSinceMs === undefined || performance.now() - this.noWorkerSinceMs < graceMs) return undefined;
    return new CoschedError(
      'UNAVAILABLE',
      `no cosched worker has been alive on the plan queue ${this.queueName} at ${this.address.display} for ${Math.round(graceMs / 1000)} s: start \`cosched worker --queue ...\``,
      { reason: 'NO_PLAN_WORKERS' },
    );
  }

  /** Fails this server's plans still waiting for a worker when none has been alive for the grace period. */
  private failWaitingWithoutWorkers(): void {
    const error = this.noWorkerError();
    if (!error) return;
    for (const pending of [...this.pending.values()]) {
      if (pending.startedMs !== undefined) continue;
      if (this.settle(pending, 'unavailable', () => pending.reject(error))) void this.cancelJob(pending.jobId);
    }
  }

  private unavailable(what: string): CoschedError {
    const why = this.lastConnectionError ? ` (${this.lastConnectionError})` : '';
    return new CoschedError('UNAVAILABLE', `the plan queue at ${this.address.display} is unreachable${why}: ${what}`, { reason: 'PLAN_QUEUE_UNAVAILABLE' });
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CoschedError('CANCELLED', 'the plan was cancelled', { reason: 'PLAN_CANCELLED' });
}

function shuttingDown(): CoschedError {
  return new CoschedError('CANCELLED', 'the server is shutting down; the plan was not finished', { reason: 'SERVER_SHUTTING_DOWN' });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

