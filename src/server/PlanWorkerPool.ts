import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { startWorkerThread } from '../../solver/solve/startWorkerThread.js';
import type { PlanExecutor } from './PlanExecutor.js';
import { fromPlanWorkerError } from './fromPlanWorkerError.js';
import type { PlanWorkerReply, PlanWorkerRequest } from './planWorkerProtocol.js';

/** Settings for a PlanWorkerPool. */
export interface PlanWorkerPoolOptions {
  /** Worker threads, >= 1. Default: os.availableParallelism(). */
  workers?: number;
  /** Plans that may wait for a worker; one more is refused with RESOURCE_EXHAUSTED. Default 64. */
  maxQueuedPlans?: number;
  /** Told about workers that crash or fail to start (the pool replaces them). Default: ignore. */
  onWorkerError?: (error: Error) => void;
  /** Delay before starting a replacement after a replacement failed to start. Default 1_000 ms. */
  restartDelayMs?: number;
  /** The worker's entry module (a .js URL; see startWorkerThread). Default: planWorker.js beside this file. */
  workerModule?: URL;
  /**
   * Told how long each plan waited for a worker and ran, and how it ended, with its size (cells =
   * hours × sites × jobs) and, for a completed plan, the solver's own time and the first model's
   * size from the result (for metrics). A throwing listener is ignored.
   */
  onPlanTimed?: (timing: PoolPlanTiming) => void;
  /**
   * Each worker's V8 heap cap, MB (worker `resourceLimits.maxOldGenerationSizeMb`). A plan whose
   * worker runs out of it fails with CoschedError RESOURCE_EXHAUSTED (reason PLAN_MEMORY_LIMIT) and
   * the worker is replaced. HiGHS's WebAssembly memory is outside this cap (HiGHS's build caps it
   * at 2 GiB per worker). Unset: V8's default.
   */
  maxHeapMb?: number;
}

/** What `onPlanTimed` hears about one plan. */
export interface PoolPlanTiming {
  waitMs: number;
  solveMs: number;
  outcome: 'completed' | 'failed' | 'cancelled';
  cells: number;
  /** Completed plans: `result.solve.solveMs`, `.variables`, `.constraints`. */
  solverMs?: number;
  variables?: number;
  constraints?: number;
}

/** Options for one plan. */
export interface PoolPlanOptions {
  /**
   * Aborting removes a queued plan, or terminates the worker running it (a replacement starts).
   * The plan then rejects with `signal.reason` when that is an Error, else a CoschedError CANCELLED.
   */
  signal?: AbortSignal;
  /** The plan's events, in order, on the main thread. A throwing listener is ignored. */
  onEvent?: (event: PlanEvent) => void;
  /**
   * Called when a worker takes the plan (after any time in the queue); its value replaces
   * `problem.options.timeLimitSeconds`. Lets a caller derive the limit from a deadline.
   */
  timeLimitSeconds?: () => number;
  /**
   * The call's deadline, for an executor whose plans start in another process (the plan queue's
   * workers), where `timeLimitSeconds` cannot be asked when the plan starts: it derives the limit
   * there with solverTimeLimitSeconds and does not start a plan whose deadline has passed.
   * PlanWorkerPool ignores it (`timeLimitSeconds` covers it). Unset: no deadline.
   */
  deadline?: PlanDeadline;
}

/** A call's deadline as a plan carries it: epoch ms (finite), and the margin kept before it for the response. */
export interface PlanDeadline {
  deadlineMs: number;
  marginMs: number;
}

/** A snapshot of the pool, for tests and logs. busy + idle + starting = workers (outside close()). */
export interface PlanWorkerPoolStats {
  workers: number;
  /** Workers running a plan. */
  busy: number;
  /** Workers ready for a plan. */
  idle: number;
  /** Workers loading (at start, or replacing a terminated or crashed one). */
  starting: number;
  /** Plans waiting for a worker. */
  queued: number;
}

interface PendingPlan {
  problem: Problem;
  options: PoolPlanOptions;
  resolve: (result: PlanResult) => void;
  reject: (error: unknown) => void;
  /** Removes the abort listener; called exactly once when the plan settles. */
  cleanup: () => void;
  /** performance.now() when a worker took it. */
  startedMs?: number;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy';
  /** Set while busy. */
  running?: { id: number; plan: PendingPlan };
}

/**
 * A bounded pool of plan worker threads (planWorker.ts), each running whole plans (`planProblem`
 * with HiGHS in that thread), so that the main thread never plans and stays free for I/O, health
 * and reflection.
 *
 * Contract:
 * - `start()` starts every worker and resolves once all have loaded HiGHS; it rejects (and
 *   terminates them) if one fails to start.
 * - `plan()` runs a plan on an idle worker, or queues it (first come, first served). With
 *   `maxQueuedPlans` plans already queued it rejects at once with CoschedError RESOURCE_EXHAUSTED
 *   (reason PLAN_QUEUE_FULL, violation field `max_queued_plans`).
 * - Workers are reused across plans. Aborting a running plan terminates its worker at once, which
 *   stops HiGHS mid-solve, and starts a replacement: no CPU is spent for a caller who left.
 * - A worker that runs out of its heap cap (`maxHeapMb`) fails its plan with CoschedError
 *   RESOURCE_EXHAUSTED (reason PLAN_MEMORY_LIMIT, violation field `worker_heap_mb`) and is replaced.
 * - A worker that crashes fails its plan with CoschedError INTERNAL and is replaced; a planner
 *   error comes back as the same CoschedError (code, message, reason, violations), and any other
 *   error as an Error with the worker's stack. The worker stays in service after those.
 * - `close()` refuses new plans, rejects queued and running ones (CoschedError CANCELLED) and
 *   terminates every worker.
 * Workers are unref'd: an idle pool does not keep the process alive.
 */
export class PlanWorkerPool implements PlanExecutor {
  readonly size: number;
  readonly maxQueuedPlans: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: PendingPlan[] = [];
  private readonly onWorkerError: (error: Error) => void;
  private readonly onPlanTimed: PlanWorkerPoolOptions['onPlanTimed'];
  private readonly restartDelayMs: number;
  private readonly workerModule: URL;
  private readonly maxHeapMb: number | undefined;
  private nextId = 1;
  private closed = false;

  private constructor(options: PlanWorkerPoolOptions) {
    this.size = options.workers ?? availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`workers must be an integer >= 1, got ${options.workers}`);
    this.maxQueuedPlans = options.maxQueuedPlans ?? 64;
    if (!Number.isInteger(this.maxQueuedPlans) || this.maxQueuedPlans < 0) throw new RangeError(`maxQueuedPlans must be an integer >= 0, got ${options.maxQueuedPlans}`);
    this.onWorkerError = options.onWorkerError ?? (() => undefined);
    this.onPlanTimed = options.onPlanTimed;
    this.restartDelayMs = options.restartDelayMs ?? 1_000;
    this.workerModule = options.workerModule ?? new URL('./planWorker.js', import.meta.url);
    this.maxHeapMb = options.maxHeapMb;
    if (this.maxHeapMb !== undefined && !(Number.isInteger(this.maxHeapMb) && this.maxHeapMb >= 16)) throw new RangeError(`maxHeapMb must be an integer >= 16, got ${options.maxHeapMb}`);
  }

  /** Starts a pool and waits until every worker is ready; see the class contract. */
  static async start(options: PlanWorkerPoolOptions = {}): Promise<PlanWorkerPool> {
    const pool = new PlanWorkerPool(options);
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.startWorker()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Plans `problem` on a worker; see the class contract. */
  plan(problem: Problem, options: PoolPlanOptions = {}): Promise<PlanResult> {
    if (this.closed) return Promise.reject(shuttingDown());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const idle = [...this.slots].find((slot) => slot.state === 'idle');
    if (!idle && this.queue.length >= this.maxQueuedPlans) {
      const busy = this.stats().busy;
      const description = `${this.queue.length} plans are already waiting for ${busy} busy workers; this server queues at most ${this.maxQueuedPlans}`;
      return Promise.reject(
        new CoschedError('RESOURCE_EXHAUSTED', `the plan queue is full: ${description}`, {
          reason: 'PLAN_QUEUE_FULL',
          violations: [{ field: 'max_queued_plans', description }],
        }),
      );
    }
    return new Promise<PlanResult>((resolve, reject) => {
      const onAbort = () => this.abort(pending);
      const enqueuedMs = performance.now();
      const timed = (outcome: 'completed' | 'failed' | 'cancelled', result?: PlanResult) => {
        if (!this.onPlanTimed) return;
        const endMs = performance.now();
        const startedMs = pending.startedMs ?? endMs;
        try {
          const cells = problem.hours * problem.sites.length * problem.jobs.length;
          const solve = result?.solve;
          const fromResult = solve ? { solverMs: solve.solveMs, variables: solve.variables, constraints: solve.constraints } : {};
          this.onPlanTimed({ waitMs: startedMs - enqueuedMs, solveMs: endMs - startedMs, outcome, cells, ...fromResult });
        } catch {
          // Metrics must not break planning.
        }
      };
      const pending: PendingPlan = {
        problem,
        options,
        resolve: (result) => {
          timed('completed', result);
          resolve(result);
        },
        reject: (error) => {
          const code = error instanceof CoschedError ? error.code : undefined;
          timed(code === 'CANCELLED' || code === 'DEADLINE_EXCEEDED' ? 'cancelled' : 'failed');
          reject(error);
        },
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (idle) this.run(idle, pending);
      else this.queue.push(pending);
    });
  }

  /** Busy, idle, starting and queued counts right now. */
  stats(): PlanWorkerPoolStats {
    const stats: PlanWorkerPoolStats = { workers: this.size, busy: 0, idle: 0, starting: 0, queued: this.queue.length };
    for (const slot of this.slots) stats[slot.state]++;
    return stats;
  }

  /** Refuses new plans, rejects queued and running ones, and terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) settle(pending, () => pending.reject(shuttingDown()));
    const terminations: Promise<unknown>[] = [];
    for (const slot of [...this.slots]) {
      this.slots.delete(slot);
      const running = slot.running;
      if (running) settle(running.plan, () => running.plan.reject(shuttingDown()));
      terminations.push(slot.worker.terminate());
    }
    await Promise.allSettled(terminations);
  }

  /** Starts one worker; resolves when it is ready, rejects if it fails before that. */
  private startWorker(): Promise<void> {
    const worker = startWorkerThread(this.workerModule, this.maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    worker.unref();
    const slot: Slot = { worker, state: 'starting' };
    this.slots.add(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: PlanWorkerReply) => {
        if (reply.kind === 'ready') {
          if (!this.slots.has(slot)) return;
          slot.state = 'idle';
          resolve();
          this.dispatch();
        } else {
          this.onReply(slot, reply);
        }
      });
      worker.on('error', (error) => {
        reject(error);
        if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') this.onWorkerOutOfMemory(slot, error);
        else this.onWorkerGone(slot, `the plan worker failed: ${error.message}`, error);
      });
      worker.on('exit', (code) => {
        const error = new Error(`the plan worker exited with code ${code}`);
        reject(error);
        this.onWorkerGone(slot, error.message, error);
      });
    });
  }

  private run(slot: Slot, pending: PendingPlan): void {
    const id = this.nextId++;
    slot.state = 'busy';
    slot.running = { id, plan: pending };
    pending.startedMs = performance.now();
    try {
      const timeLimitSeconds = pending.options.timeLimitSeconds?.();
      const problem = timeLimitSeconds === undefined ? pending.problem : { ...pending.problem, options: { ...pending.problem.options, timeLimitSeconds } };
      const request: PlanWorkerRequest = { kind: 'plan', id, problem, events: pending.options.onEvent !== undefined };
      slot.worker.postMessage(request);
    } catch (error) {
      // E.g. a problem that cannot be cloned, or a throwing timeLimitSeconds(); the worker is fine.
      this.finish(slot, () => pending.reject(error));
    }
  }

  private onReply(slot: Slot, reply: Exclude<PlanWorkerReply, { kind: 'ready' }>): void {
    const running = slot.running;
    if (!running || reply.id !== running.id || !this.slots.has(slot)) return;
    const { plan } = running;
    if (reply.kind === 'event') {
      try {
        plan.options.onEvent?.(reply.event);
      } catch {
        // A failing listener (say, a closed stream) must not end the plan or the process.
      }
    } else if (reply.kind === 'result') {
      this.finish(slot, () => plan.resolve(reply.result));
    } else {
      this.finish(slot, () => plan.reject(fromPlanWorkerError(reply.error)));
    }
  }

  /** Ends the slot's running plan with `outcome`; the slot takes the next queued plan. */
  private finish(slot: Slot, outcome: () => void): void {
    const running = slot.running;
    slot.running = undefined;
    slot.state = 'idle';
    if (running) settle(running.plan, outcome);
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state === 'idle') this.run(slot, this.queue.shift()!);
    }
  }

  private abort(pending: PendingPlan): void {
    const reason = abortReason(pending.options.signal!);
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      settle(pending, () => pending.reject(reason));
      return;
    }
    const slot = [...this.slots].find((s) => s.running?.plan === pending);
    if (!slot) return;
    // Terminating stops HiGHS at once; the slot leaves the pool now, so the plan's place is free.
    this.slots.delete(slot);
    settle(pending, () => pending.reject(reason));
    void slot.worker.terminate();
    this.replace();
  }

  /** A worker over its heap cap: its plan fails RESOURCE_EXHAUSTED naming the cap; the worker is replaced. */
  private onWorkerOutOfMemory(slot: Slot, error: Error): void {
    const limit = this.maxHeapMb === undefined ? "V8's default heap limit" : `heap limit of ${this.maxHeapMb} MB`;
    const description = `the plan needed more than the plan worker's ${limit} (--worker-heap-mb of cosched serve or cosched worker); plan fewer hours, sites or jobs, or raise the limit`;
    this.onWorkerGone(
      slot,
      error.message,
      error,
      new CoschedError('RESOURCE_EXHAUSTED', `the plan ran out of memory: ${description}`, {
        reason: 'PLAN_MEMORY_LIMIT',
        violations: [{ field: 'worker_heap_mb', description }],
        cause: error,
      }),
    );
  }

  private onWorkerGone(slot: Slot, message: string, error: Error, planError?: CoschedError): void {
    if (!this.slots.delete(slot)) return;
    this.onWorkerError(error);
    const running = slot.running;
    if (running) {
      settle(running.plan, () =>
        running.plan.reject(
          planError ?? new CoschedError('INTERNAL', `${message} while planning (a bug or a lack of memory in cosched)`, { reason: 'PLAN_WORKER_CRASHED', cause: error }),
        ),
      );
    }
    void slot.worker.terminate();
    // A worker that failed while starting is retried by replace() (or fails start()); one that
    // was serving is replaced now.
    if (slot.state !== 'starting') this.replace();
  }

  private replace(): void {
    if (this.closed) return;
    this.startWorker().catch(() => {
      if (this.closed) return;
      // onWorkerGone already reported it; try again later rather than in a tight loop.
      setTimeout(() => this.replace(), this.restartDelayMs).unref();
    });
  }
}

/** Runs `outcome` once for `pending`, after removing its abort listener. */
function settle(pending: PendingPlan, outcome: () => void): void {
  pending.cleanup();
  outcome();
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CoschedError('CANCELLED', 'the plan was cancelled', { reason: 'PLAN_CANCELLED' });
}

function shuttingDown(): CoschedError {
  return new CoschedError('CANCELLED', 'the server is shutting down; the plan was not finished', { reason: 'SERVER_SHUTTING_DOWN' });
}
