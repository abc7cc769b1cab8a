import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PlanExecutor } from '../server/PlanExecutor.js';

/** Seconds buckets for plan waits and solves: 5 ms to 30 min. */
const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** The queue's counts, as a queue executor reads them (see QueuePlanExecutor.queueStats). */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workersAlive: number;
  workerThreads: number;
}

/** One plan's way through an executor: time waiting for a worker, time running, how it ended. */
export interface PlanTimingSample {
  waitMs: number;
  solveMs: number;
  outcome: string;
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
 * histograms by outcome, `cosched_plan_runs_total{state,trigger}` (standing planner runs ended).
 * Worker: the same plan histograms for the plans it ran, and `cosched_plans_in_flight`.
 */
export class PlanMetrics {
  readonly registry = new Registry();
  private readonly waitSeconds: Histogram<'outcome'>;
  private readonly solveSeconds: Histogram<'outcome'>;
  private readonly runsEnded: Counter<'state' | 'trigger'>;
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

  /** Records one plan's wait and solve time. */
  observePlan(sample: PlanTimingSample): void {
    this.waitSeconds.observe({ outcome: sample.outcome }, sample.waitMs / 1000);
    if (sample.solveMs > 0) this.solveSeconds.observe({ outcome: sample.outcome }, sample.solveMs / 1000);
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
