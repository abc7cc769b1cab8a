/**
 * The plan queue's overhead per plan (issue 12's target: at most 5 ms p50 for a tiny plan):
 *
 *   node --import tsx bench/queueOverhead.ts [REDIS_URL] [--plans N] [--warmup N] [--no-events]
 *
 * Plans the same tiny problem (one site, one job, four hours: an LP of a few variables) N times one after
 * another (default 200, after 20 not counted) twice: on a PlanWorkerPool of one thread in this
 * process (what `serve` does without --queue), and through a QueuePlanExecutor on REDIS_URL
 * (default COSCHED_TEST_REDIS_URL, else redis://127.0.0.1:6379) to one real `cosched worker`
 * process with one thread, with the plan's events listened to (as WatchPlan does; not with
 * --no-events, as Plan does). Prints the
 * p50/p95/max of each and the overhead (queue minus pool) at p50 and p95, as one JSON line and a
 * table. Each run uses a queue of its own, removed at the end.
 *
 * bench/scaleOut.ts (issue 12's scale-out case of `npm run bench`) imports measureQueueOverhead;
 * run as a script, this file does the same and prints the result.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueuePlanExecutor } from '../src/queue/QueuePlanExecutor.js';
import type { PlanExecutor } from '../src/server/PlanExecutor.js';
import { PlanWorkerPool } from '../src/server/PlanWorkerPool.js';
import { preparePlan } from '../src/server/preparePlan.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';

/** One site green at hours 1 and 2, one job of 16 GPU-hours over four hours (test/factories' oneSiteFourHours). */
const tinyRequest: PlanRequest = {
  horizon: { start: { seconds: Date.UTC(2026, 6, 1) / 1000, nanos: 0 }, hours: 4 },
  sites: [{ id: 'a', name: '', timeZone: '', gpuCapacity: 16, pue: 1.2, greenSupplyMw: [0, 2, 2, 0], carbonIntensityGPerKwh: [500, 100, 100, 500], pricePerMwh: [], baseLoadMw: [], gridImportLimitMw: undefined, storage: undefined, marginalIntensityGPerKwh: [] }],
  jobs: [{ id: 'j1', gpuHours: 16, maxGpus: 8, minGpus: undefined, gpuPowerKw: 0.7, release: { seconds: Date.UTC(2026, 6, 1) / 1000, nanos: 0 }, deadline: { seconds: Date.UTC(2026, 6, 1, 4) / 1000, nanos: 0 }, allowedSites: [], homeSite: 'a', interruptible: true, datasetGb: undefined, dataSite: '' }],
  objective: undefined,
  options: undefined,
  forecastScenarios: [],
  links: [],
};
const problem = preparePlan(tinyRequest, { maxCells: 1e6 });

/** Settings of one measurement; see the top of this file. */
export interface QueueOverheadOptions {
  /** The Redis of the queue. */
  url: string;
  /** Measured plans on each executor (default 200), after `warmup` not counted (default 20). */
  plans?: number;
  warmup?: number;
  /** Listen to the plans' events, as WatchPlan and the what-if calls do (default true). */
  events?: boolean;
  /** How to run the CLI for the `cosched worker` process (node arguments before `worker`); default tsx on src/cli/main.ts. */
  cli?: string[];
  /** Where the worker's log lines go; default this process's stderr, prefixed `worker: `. */
  onWorkerLine?: (line: string) => void;
}

/** p50/p95/max in ms. */
export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
}

/** What a measurement gives (the script prints it as its JSON line). */
export interface QueueOverheadReport {
  plans: number;
  events: boolean;
  pool: LatencySummary;
  queue: LatencySummary;
  /** queue minus pool, at p50 and p95. */
  overheadMs: { p50: number; p95: number };
}

/** Milliseconds of each of `plans` sequential plans on `executor`, after `warmup` not counted. */
async function time(executor: PlanExecutor, plans: number, warmup: number, events: boolean): Promise<number[]> {
  const onEvent = events ? () => undefined : undefined;
  for (let i = 0; i < warmup; i++) await executor.plan(problem, { onEvent });
  const times: number[] = [];
  for (let i = 0; i < plans; i++) {
    const startedMs = performance.now();
    await executor.plan(problem, { onEvent });
    times.push(performance.now() - startedMs);
  }
  return times.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (sorted: number[]): LatencySummary => ({ p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1)!) });
const round = (ms: number) => Math.round(ms * 100) / 100;

/** Times the tiny plan on a PlanWorkerPool of one thread, then through the queue to one `cosched worker`; see the top of this file. */
export async function measureQueueOverhead(options: QueueOverheadOptions): Promise<QueueOverheadReport> {
  const { url, plans = 200, warmup = 20, events = true } = options;
  const cli = options.cli ?? ['--import', 'tsx', 'src/cli/main.ts'];
  const onWorkerLine = options.onWorkerLine ?? ((line: string) => process.stderr.write(`worker: ${line}\n`));
  const queueName = `bench-overhead-${randomBytes(4).toString('hex')}`;
  const pool = await PlanWorkerPool.start({ workers: 1 });
  const poolTimes = await time(pool, plans, warmup, events);
  await pool.close();

  const worker = spawn(process.execPath, [...cli, 'worker', '--queue', url, '--queue-name', queueName, '--workers', '1', '--log-level', 'warn'], {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let executor: QueuePlanExecutor | undefined;
  try {
    executor = await QueuePlanExecutor.start({ url, queueName });
    // The worker logs nothing at warn until it is ready: wait until it has announced itself.
    createInterface({ input: worker.stdout! }).on('line', onWorkerLine);
    for (let i = 0; i < 300 && (await executor.queueStats()).workersAlive === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const queueTimes = await time(executor, plans, warmup, events);
    const pooled = summary(poolTimes);
    const queued = summary(queueTimes);
    const overhead = { p50: round(queued.p50 - pooled.p50), p95: round(queued.p95 - pooled.p95) };
    return { plans, events, pool: pooled, queue: queued, overheadMs: overhead };
  } finally {
    await executor?.close();
    worker.kill('SIGKILL');
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection: redis });
    await queue.obliterate({ force: true }).catch(() => undefined);
    const keys = await redis.keys(`cosched:${queueName}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await queue.close();
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { plans: { type: 'string' }, warmup: { type: 'string' }, 'no-events': { type: 'boolean' } } });
  const url = positionals[0] ?? process.env.COSCHED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const report = await measureQueueOverhead({ url, plans: Number(values.plans ?? 200), warmup: Number(values.warmup ?? 20), events: !values['no-events'] });
  const { plans, events, pool: pooled, queue: queued, overheadMs: overhead } = report;
  console.log(JSON.stringify(report));
  console.log(`\n| ${plans} tiny plans, sequential, ${events ? 'with' : 'without'} events | p50 ms | p95 ms | max ms |\n|---|---|---|---|`);
  console.log(`| PlanWorkerPool (in process) | ${pooled.p50} | ${pooled.p95} | ${pooled.max} |`);
  console.log(`| QueuePlanExecutor + 1 worker | ${queued.p50} | ${queued.p95} | ${queued.max} |`);
  console.log(`| queue overhead | ${overhead.p50} | ${overhead.p95} | |`);
}

// Run as a script (not when imported by bench/scaleOut.ts).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
