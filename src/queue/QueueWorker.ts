import type { ProgressEnvelope } from './PlanJobData.js';
import { withinMs } from './withinMs.js';
import type { PlanWorkerPoolOptions } from '../server/PlanWorkerPool.js';
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import { PlanPhaseRecorder } from '../tracing/PlanPhaseRecorder.js';
import { withinTraceSpan } from '../tracing/PlanPhaseSink.js';
import { PlanWorkerPool } from '../server/PlanWorkerPool.js';
import { solverTimeLimitSeconds } from '../server/solverTimeLimitSeconds.js';
import { problemOfJob, type PlanJobData } from './PlanJobData.js';
import { encodeQueueFailure, isRetryableFailure } from './QueueFailure.js';
import { stringifyQueueJson } from './queueJson.js';
import { defaultQueueName, queueKeys, queueNameProblem } from './queueNames.js';
import { parseRedisUrl, type RedisAddress } from './parseRedisUrl.js';
import { openRedis, redisOptions, waitForRedis } from './redisConnection.js';
import { workerHeartbeatMs, workerRegistry, type QueueWorkerInfo } from './workerRegistry.js';

/** Settings of a QueueWorker (`cosched worker`). */
/** A plan started this many times (handed back by stopping workers, or stalled) is not handed back again. */
const maxStarts = 5;

export interface QueueWorkerOptions {
  /** The Redis holding the queue: `redis://HOST:PORT[/DB]` or `rediss://`. */
  url: string;
  /** The queue's name, as the servers have it. Default `cosched-plans`. */
  queueName?: string;
  /** Plan worker threads, which is how many plans it runs at once, >= 1. Default: os.availableParallelism(). */
  workers?: number;
  /** Each plan thread's V8 heap cap in MB (PlanWorkerPool `maxHeapMb`): a plan over it fails RESOURCE_EXHAUSTED (PLAN_MEMORY_LIMIT). Unset: Node's default. */
  maxHeapMb?: number;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the plan runs).
   * A worker killed mid-plan loses its jobs to another worker within about this plus
   * `stalledIntervalMs`. Default 30_000 ms.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (BullMQ's stalled-job check). Default 15_000 ms. */
  stalledIntervalMs?: number;
  /** How often a plan may lose its worker and be given to another before it fails (INTERNAL). Default 1. */
  maxStalledCount?: number;
  /** How long start() waits for Redis. Default 10_000 ms. */
  connectTimeoutMs?: number;
  logger: Logger;
  /**
   * The plan worker thread's module (PlanWorkerPoolOptions.workerModule). For tests only: `cosched
   * worker` sets it from COSCHED_TEST_PLAN_WORKER_MODULE (see runWorker). Default: planWorker.js.
   */
  planWorkerModule?: URL;
  /** Told how long each plan waited for one of this worker's threads and ran there (for metrics). */
  onPlanTimed?: PlanWorkerPoolOptions['onPlanTimed'];
}

/** A job this worker is running. */
interface RunningJob {
  /** Set when the worker stops before the plan ends: the job goes back to the queue for another worker. */
  givingBack: boolean;
  /** Set when the job's lock could not be renewed: the job is gone (say, Redis restarted empty) or another worker has it. */
  lockLost: boolean;
}

/**
 * A stateless plan worker process: takes plan jobs from the BullMQ queue and runs each on a
 * thread of its own PlanWorkerPool (HiGHS loaded once per thread), as many at once as it has
 * threads, and puts the result (or the error) back in the job; the plan's events go out as the
 * job's progress when its caller listens.
 *
 * - A job whose caller left is not started (its cancelled mark), and one running is stopped when
 *   its id comes on the cancel channel (BullMQ cancelJob aborts the solve: the thread is
 *   terminated and replaced). A job whose call deadline has passed is not started; otherwise the
 *   solver limit is derived from the deadline when the plan starts, as the server does.
 * - Failures: a crashed plan thread is retried (a plain Error: BullMQ tries the job again up to
 *   its attempts); every other failure (the planner's CoschedErrors, cancellations, deadlines,
 *   bugs) is final (UnrecoverableError). The failedReason carries the error (QueueFailure).
 * - A plan whose job's lock cannot be renewed (the job is gone, or the stalled-job check gave it
 *   to another worker) is stopped: its result could not be stored anyway.
 * - It says it is alive every workerHeartbeatMs (workerRegistry), with its thread count.
 * - `stop(graceMs)`: takes no new job; plans still running after `graceMs` are given back (moved
 *   to the queue's waiting list, so another worker takes them); then closes everything. Calling
 *   it again with 0 gives back at once.
 */
export class QueueWorker {
  readonly info: QueueWorkerInfo;
  private readonly running = new Map<string, RunningJob>();
  private worker!: Worker<PlanJobData, string>;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: QueueWorkerOptions,
    readonly address: RedisAddress,
    readonly queueName: string,
    /** Its plan threads (read-only use: stats for metrics). */
    readonly pool: PlanWorkerPool,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    info: QueueWorkerInfo,
  ) {
    this.info = info;
  }

  /**
   * Starts the plan threads, connects, and starts taking jobs.
   * @throws RangeError for a bad URL or queue name; Error naming the address when Redis does not
   *   answer within connectTimeoutMs; what PlanWorkerPool.start throws.
   */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const address = parseRedisUrl(options.url);
    const queueName = options.queueName ?? defaultQueueName;
    const nameProblem = queueNameProblem(queueName);
    if (nameProblem) throw new RangeError(`queue name '${queueName}': ${nameProblem}`);
    const threads = options.workers ?? availableParallelism();
    const info: QueueWorkerInfo = { id: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, host: hostname(), pid: process.pid, threads, startedAt: new Date().toISOString() };
    const logger = options.logger.child({ worker: info.id });
    const pool = await PlanWorkerPool.start({
      workers: threads,
      maxHeapMb: options.maxHeapMb,
      workerModule: options.planWorkerModule,
      onWorkerError: (error) => logger.error({ err: error }, 'plan worker thread failed; replacing it'),
      onPlanTimed: options.onPlanTimed,
    });
    const commands = openRedis(address, `cosched:worker:${info.id}`);
    const subscriber = openRedis(address, `cosched:worker-cancel:${info.id}`);
    for (const client of [commands, subscriber]) client.on('error', (error: Error) => logger.debug({ err: error }, 'Redis connection error'));
    let self: QueueWorker | undefined;
    try {
      const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
      await Promise.all([waitForRedis(commands, address, connectTimeoutMs), waitForRedis(subscriber, address, connectTimeoutMs)]);
      self = new QueueWorker(options, address, queueName, pool, commands, subscriber, logger, info);
      await self.run();
      return self;
    } catch (error) {
      await self?.worker?.close(true).catch(() => undefined);
      clearInterval(self?.heartbeat);
      commands.disconnect();
      subscriber.disconnect();
      await pool.close();
      throw error;
    }
  }

  /** Stops gracefully; see the class contract. Resolves once everything is closed. */
  stop(graceMs: number): Promise<void> {
    if (graceMs <= 0) this.giveBackAll();
    this.stopping ??= this.shutDown(graceMs);
    return this.stopping;
  }

  private async run(): Promise<void> {
    const keys = queueKeys(this.queueName);
    // For the operator: a worker cut off from Redis takes no plans (and its running plans' jobs may go to others).
    let lost = false;
    this.commands.on('close', () => {
      if (!lost && !this.stopping) this.logger.warn({ redis: this.address.display }, 'lost the connection to the plan queue; reconnecting');
      lost = true;
    });
    this.commands.on('ready', () => {
      if (lost) this.logger.info({ redis: this.address.display }, 'the plan queue is reachable again');
      lost = false;
    });
    this.subscriber.on('message', (channel: string, jobId: string) => {
      if (channel !== keys.cancelChannel || !this.running.has(jobId)) return;
      if (this.worker.cancelJob(jobId, 'cancelled by its caller')) this.logger.info({ job: jobId }, 'plan cancelled by its caller: stopping it');
    });
    await this.subscriber.subscribe(keys.cancelChannel);
    const { lockDurationMs = 30_000, stalledIntervalMs = 15_000, maxStalledCount = 1 } = this.options;
    this.worker = new Worker<PlanJobData, string>(this.queueName, (job, token, signal) => this.process(job, token, signal), {
      connection: redisOptions(this.address, `cosched:worker-jobs:${this.info.id}`),
      name: this.info.id,
      concurrency: this.info.threads,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
      autorun: false,
    });
    this.worker.on('error', (error) => this.logger.debug({ err: error }, 'plan queue worker error'));
    // A job whose lock is lost is no longer this worker's to finish: stop spending CPU on it.
    this.worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        const entry = this.running.get(jobId);
        if (!entry || entry.lockLost) continue;
        entry.lockLost = true;
        if (this.worker.cancelJob(jobId, 'lost its lock')) this.logger.warn({ job: jobId }, 'plan lost its lock (its job is gone, or another worker has it): stopping it');
      }
    });
    await this.worker.waitUntilReady();
    void this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'the plan queue worker stopped'));
    const beat = () => workerRegistry.heartbeat(this.commands, this.queueName, this.info).catch((error: unknown) => this.logger.debug({ err: error }, 'heartbeat failed'));
    await beat();
    this.heartbeat = setInterval(() => void beat(), workerHeartbeatMs);
    this.logger.info(
      { queue: this.queueName, redis: this.address.display, threads: this.info.threads, lockDurationMs, stalledIntervalMs, maxStalledCount },
      'cosched worker ready',
    );
  }

  /** BullMQ's processor: one plan job, start to end. Its third parameter makes BullMQ pass the abort signal. */
  private async process(job: Job<PlanJobData, string>, token: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const jobId = job.id!;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const logger = this.logger.child({ job: jobId, attempt });
    const entry: RunningJob = { givingBack: false, lockLost: false };
    this.running.set(jobId, entry);
    const startedMs = performance.now();
    const elapsedMs = () => Math.round(performance.now() - startedMs);
    let progress: Promise<unknown> = Promise.resolve();
    try {
      const data = job.data;
      // Registered above first, so that a cancel published from now on reaches this plan.
      if ((await this.commands.exists(queueKeys(this.queueName).cancelled(jobId))) === 1) {
        throw new CoschedError('CANCELLED', 'the plan was cancelled by its caller before a worker started it', { reason: 'PLAN_CANCELLED' });
      }
      const deadline = data.deadline;
      if (deadline && Date.now() >= deadline.deadlineMs) {
        throw new CoschedError('DEADLINE_EXCEEDED', 'the call deadline passed while the plan waited in the queue; it was not started', { reason: 'DEADLINE_PASSED' });
      }
      const problem = problemOfJob(data);
      logger.info({ hours: problem.hours, sites: problem.sites.length, jobs: problem.jobs.length }, 'plan started');
      const sendProgress = data.events
        ? (event: PlanEvent) => {
            // In order, one at a time; a lost update (say, the job was cancelled) does not stop the plan.
            // Tagged with the attempt (each start of the job counts), so that the server drops
            // the events of an attempt that a retry has replaced.
            const tagged: ProgressEnvelope = { attempt: job.attemptsStarted, event };
            progress = progress.then(() => job.updateProgress(stringifyQueueJson(tagged))).catch(() => undefined);
          }
        : undefined;
      // With tracing on: a span for this attempt, continuing the caller's trace, with the plan's phases under it.
      const result = await withinTraceSpan('cosched.worker_plan', data.traceContext, { 'cosched.job': jobId, 'cosched.attempt': attempt }, async () => {
        const phases = PlanPhaseRecorder.start();
        try {
          const planned = await this.pool.plan(problem, {
            signal,
            onEvent: phases ? (event) => (phases.event(event), sendProgress?.(event)) : sendProgress,
            timeLimitSeconds: () => (phases?.workerTook(), deadline ? solverTimeLimitSeconds(problem.options.timeLimitSeconds, deadline.deadlineMs, Date.now(), deadline.marginMs) : data.timeLimitSeconds),
          });
          phases?.planned(planned);
          return planned;
        } catch (error) {
          phases?.failed(error);
          throw error;
        }
      });
      // Every progress event is in the stream before the result.
      await progress;
      logger.info({ termination: result.termination, ms: elapsedMs() }, 'plan done');
      return stringifyQueueJson(result);
    } catch (error) {
      await progress;
      if (entry.givingBack && token && job.attemptsStarted < maxStarts) {
        await job.moveToWait(token);
        logger.info({ ms: elapsedMs() }, 'plan given back to the queue: this worker is stopping');
        throw new WaitingError();
      }
      if (entry.givingBack) {
        // Started maxStarts times and stopped by worker shutdowns each time (rolling deploys, scale-downs): end it.
        const cause = new CoschedError('UNAVAILABLE', `the plan was started ${job.attemptsStarted} times and each time its worker stopped before it finished; try again with fewer worker restarts or a shorter time limit`, { reason: 'PLAN_INTERRUPTED' });
        logger.warn({ starts: job.attemptsStarted, ms: elapsedMs() }, 'plan interrupted too often: failed');
        throw new UnrecoverableError(encodeQueueFailure(cause, attempt, attempts));
      }
      const cause = !signal?.aborted
        ? error
        : entry.lockLost
          ? new CoschedError('UNAVAILABLE', "the worker lost the plan's job (its lock could not be renewed) and stopped it", { reason: 'PLAN_JOB_LOST' })
          : new CoschedError('CANCELLED', 'the plan was cancelled by its caller', { reason: 'PLAN_CANCELLED' });
      const reason = encodeQueueFailure(cause, attempt, attempts);
      if (isRetryableFailure(cause)) {
        logger.warn({ err: cause, attempts, ms: elapsedMs() }, attempt < attempts ? 'plan failed; the queue tries it again' : 'plan failed on its last attempt');
        throw new Error(reason);
      }
      const outcome = cause instanceof CoschedError ? cause.code : 'ERROR';
      if (outcome === 'CANCELLED' || outcome === 'DEADLINE_EXCEEDED') logger.info({ outcome, ms: elapsedMs() }, 'plan stopped');
      else if (cause instanceof CoschedError && cause.code !== 'INTERNAL') logger.info({ outcome, message: cause.message, ms: elapsedMs() }, 'plan refused');
      else logger.error({ err: cause, ms: elapsedMs() }, 'plan failed');
      throw new UnrecoverableError(reason);
    } finally {
      this.running.delete(jobId);
    }
  }

  /** Stops every running plan and gives its job back to the queue. */
  private giveBackAll(): void {
    for (const [jobId, entry] of this.running) {
      if (entry.givingBack) continue;
      entry.givingBack = true;
      this.worker.cancelJob(jobId, 'the worker is stopping');
    }
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.logger.info({ plansRunning: this.running.size, graceMs }, 'cosched worker stopping');
    const timer = setTimeout(() => this.giveBackAll(), graceMs);
    try {
      await this.worker.close();
    } finally {
      clearTimeout(timer);
      clearInterval(this.heartbeat);
    }
    // Best effort: with Redis gone the entry expires by itself; a stop must not hang on it.
    await withinMs(workerRegistry.remove(this.commands, this.queueName, this.info), 1_000);
    this.subscriber.disconnect();
    this.commands.disconnect();
    await this.pool.close();
    this.logger.info('cosched worker stopped');
  }
}
