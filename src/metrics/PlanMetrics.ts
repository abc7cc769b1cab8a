import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { status as grpcCode } from '@grpc/grpc-js';
import type { CallEnd } from '../server/CallTracker.js';
import type { PlanExecutor } from '../server/PlanExecutor.js';
import type { QueueStats } from '../queue/QueuePlanExecutor.js';

/** Seconds buckets for plan waits and solves: 5 ms to 30 min. */
const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Seconds buckets for gRPC calls: 1 ms to 30 min. */
const callSecondsBuckets = [0.001, 0.0025, ...secondsBuckets];
/** Count buckets for model sizes (cells, LP variables and constraints): 100 to 100M, ×~3. */
const sizeBuckets = [1e2, 3e2, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8];
/** The methods whose calls are plans (their duration is also `cosched_plan_latency_seconds`). */
const planMethods = new Set(['cosched.v1.CoSchedulerService/Plan', 'cosched.v1.CoSchedulerService/WatchPlan']);

/** The queue's counts, as a queue executor reads them (QueuePlanExecutor.queueStats, without this server's part). */
export type QueueCounts = Omit<QueueStats, 'plansWaiting' | 'plansRunning'>;

/** One plan's way through an executor: time waiting for a worker, time running, how it ended. */
export interface PlanTimingSample {
  waitMs: number;
  solveMs: number;
  outcome: string;
  /** The plan's size, hours × sites × jobs, when known. */
  cells?: number;
  /** From a completed plan's result (`solve`): the solver's own time (not the worker's wall time) and the first model's size. */
  solverMs?: number;
  variables?: number;
  constraints?: number;
}

/**
 * cosched's Prometheus metrics (prom-client), one registry per process, with the process's
 * default metrics (CPU, memory, event loop lag, handles). Gauges read their sources when scraped;
 * timings and counters are observed as they happen.
 *
 * Server: `cosched_plans_in_flight{state="running"|"waiting"}` and `cosched_plan_worker_threads`
 * (from the executor), `cosched_queue_jobs{state}`, `cosched_queue_workers_alive` (the whole
 * queue, only when plans go to a queue; read with a 1 s limit: the job counts are absent and the
 * workers 0 when Redis does not answer) and
 * `cosched_queue_up`, `cosched_plan_wait_seconds` and `cosched_plan_solve_seconds`
 * histograms by outcome, `cosched_plan_runs_total{state,trigger}` (standing planner runs ended),
 * `cosched_grpc_calls_total{service,method,code}` and `cosched_grpc_call_duration_seconds` (every
 * call, observed where it ends: CallTracker), `cosched_plan_latency_seconds{method,code}` (Plan and
 * WatchPlan, call start to answer), `cosched_solver_seconds` (the solver's own time from each
 * completed plan's result), and `cosched_plan_cells`, `cosched_plan_lp_variables`,
 * `cosched_plan_lp_constraints` (model size of the plans run on this process's workers).
 * Worker: the same plan histograms for the plans it ran, and `cosched_plans_in_flight`.
 */
export class PlanMetrics {
  readonly registry = new Registry();
  private readonly waitSeconds: Histogram<'outcome'>;
  private readonly solveSeconds: Histogram<'outcome'>;
  private readonly runsEnded: Counter<'state' | 'trigger'>;
  private readonly calls: Counter<'service' | 'method' | 'code'>;
  private readonly callSeconds: Histogram<'service' | 'method' | 'code'>;
  private readonly planLatencySeconds: Histogram<'method' | 'code'>;
  private readonly solverSeconds: Histogram;
  private readonly planCells: Histogram;
  private readonly lpVariables: Histogram;
  private readonly lpConstraints: Histogram;
  private executor: PlanExecutor | undefined;
  private queueCounts: (() => Promise<QueueCounts>) | undefined;

  constructor(role: 'server' | 'worker') {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry });
    const metrics = this;
    this.waitSeconds = new Histogram({
      name: 'cosched_plan_wait_seconds',
      help: 'Time a plan waited for a worker (thread or queue worker), by how the plan ended.',
      labelNames: ['outcome'],
      buckets: secondsBuckets,
      registers: [this.registry],
    });
    this.solveSeconds = new Histogram({
      name: 'cosched_plan_solve_seconds',
      help: 'Time a worker spent on a plan (model, solve, checks), by how the plan ended.',
      labelNames: ['outcome'],
      buckets: secondsBuckets,
      registers: [this.registry],
    });
    this.calls = new Counter({
      name: 'cosched_grpc_calls_total',
      help: 'gRPC calls ended, by service, method and status code (as the client saw it).',
      labelNames: ['service', 'method', 'code'],
      registers: [this.registry],
    });
    this.callSeconds = new Histogram({
      name: 'cosched_grpc_call_duration_seconds',
      help: 'gRPC call duration, from its arrival to its status (or the client leaving), by service, method and code.',
      labelNames: ['service', 'method', 'code'],
      buckets: callSecondsBuckets,
      registers: [this.registry],
    });
    this.planLatencySeconds = new Histogram({
      name: 'cosched_plan_latency_seconds',
      help: 'Plan and WatchPlan calls, from the call\'s arrival to its answer (validation, queue, solve, response), by method and code.',
      labelNames: ['method', 'code'],
      buckets: callSecondsBuckets,
      registers: [this.registry],
    });
    this.solverSeconds = new Histogram({
      name: 'cosched_solver_seconds',
      help: "The solver's own time of each completed plan (all stages; from the result, not the worker's wall time).",
      buckets: callSecondsBuckets,
      registers: [this.registry],
    });
    this.planCells = new Histogram({
      name: 'cosched_plan_cells',
      help: 'Size of each plan run on a worker: hours × sites × jobs.',
      buckets: sizeBuckets,
      registers: [this.registry],
    });
    this.lpVariables = new Histogram({
      name: 'cosched_plan_lp_variables',
      help: "Variables of each completed plan's linear program (its first stage).",
      buckets: sizeBuckets,
      registers: [this.registry],
    });
    this.lpConstraints = new Histogram({
      name: 'cosched_plan_lp_constraints',
      help: "Constraints of each completed plan's linear program (its first stage).",
      buckets: sizeBuckets,
      registers: [this.registry],
    });
    this.runsEnded = new Counter({
      name: 'cosched_plan_runs_total',
      help: 'Standing planner runs ended, by end state and trigger (api, nightly).',
      labelNames: ['state', 'trigger'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'cosched_plans_in_flight',
      help: "This process's plans running on a worker and waiting for one.",
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        if (!metrics.executor) return;
        const stats = metrics.executor.stats();
        this.set({ state: 'running' }, stats.busy);
        this.set({ state: 'waiting' }, stats.queued);
      },
    });
    new Gauge({
      name: 'cosched_plan_worker_threads',
      help: 'Plan worker threads this process can use (its own, or the queue fleet\'s).',
      registers: [this.registry],
      collect() {
        if (metrics.executor) this.set(metrics.executor.stats().workers);
      },
    });
  }

  /** Where in-flight gauges come from; `queueCounts` for a server whose plans go to a queue. */
  watch(executor: PlanExecutor, queueCounts?: () => Promise<QueueCounts>): void {
    this.executor = executor;
    if (queueCounts && !this.queueCounts) this.registerQueueGauges();
    this.queueCounts = queueCounts;
  }

  /** The queue's gauges exist only where plans go to a queue (a server without one shows none). */
  private registerQueueGauges(): void {
    const metrics = this;
    new Gauge({
      name: 'cosched_queue_jobs',
      help: 'Plans in the queue by BullMQ state (every server\'s), when plans go to a queue.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await metrics.readQueue();
        // No stale numbers while the queue cannot be read: the series disappear (cosched_queue_up says why).
        this.reset();
        if (!counts) return;
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: 'cosched_queue_up',
      help: '1 when the last read of the plan queue succeeded (within 1 s), 0 when Redis did not answer; absent without a queue.',
      registers: [this.registry],
      async collect() {
        if (!metrics.queueCounts) return;
        this.set((await metrics.readQueue()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cosched_queue_workers_alive',
      help: '`cosched worker` processes heard from recently, when plans go to a queue.',
      registers: [this.registry],
      async collect() {
        const counts = await metrics.readQueue();
        this.reset();
        if (counts) this.set(counts.workersAlive);
      },
    });
  }

  /** Records one plan's wait and solve time, and (when the sample has them) its size and solver time. */
  observePlan(sample: PlanTimingSample): void {
    this.waitSeconds.observe({ outcome: sample.outcome }, sample.waitMs / 1000);
    if (sample.solveMs > 0) this.solveSeconds.observe({ outcome: sample.outcome }, sample.solveMs / 1000);
    if (sample.cells !== undefined) this.planCells.observe(sample.cells);
    if (sample.solverMs !== undefined) this.solverSeconds.observe(sample.solverMs / 1000);
    if (sample.variables !== undefined) this.lpVariables.observe(sample.variables);
    if (sample.constraints !== undefined) this.lpConstraints.observe(sample.constraints);
  }

  /** Records one gRPC call that ended (see CallTracker): calls by code, their duration, and plan latency. */
  observeCall(end: CallEnd): void {
    const labels = { service: end.service, method: end.method, code: grpcCode[end.code] ?? String(end.code) };
    this.calls.inc(labels);
    this.callSeconds.observe(labels, end.durationMs / 1000);
    if (planMethods.has(`${end.service}/${end.method}`)) this.planLatencySeconds.observe({ method: end.method, code: labels.code }, end.durationMs / 1000);
  }

  /** Counts a standing-planner run that ended. */
  observeRunEnded(state: string, trigger: string): void {
    this.runsEnded.inc({ state, trigger });
  }

  /** The text exposition (Prometheus 0.0.4 format). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private queueRead: { atMs: number; value: Promise<QueueCounts | undefined> } | undefined;

  /** The queue counts, read at most once per scrape (two gauges share one Redis round trip). */
  private readQueue(): Promise<QueueCounts | undefined> {
    if (!this.queueCounts) return Promise.resolve(undefined);
    const nowMs = Date.now();
    if (!this.queueRead || nowMs - this.queueRead.atMs > 500) {
      const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000).unref());
      this.queueRead = { atMs: nowMs, value: Promise.race([this.queueCounts().catch(() => undefined), timeout]) };
    }
    return this.queueRead.value;
  }
}
