/**
 * Issue 12's scale-out benchmark, run by runBenchmark.ts in a child process of its own (the
 * `scale-out` case: `npm run bench -- --only scale-out`):
 *
 *   node --import tsx bench/scaleOut.ts INSTANCE.json [--size NAME] [--redis URL] [--workers 1,2]
 *        [--time-limit S] [--overhead-plans N] [--overhead-warmup N] [--cli dist|tsx]
 *
 * 1. The tiny-plan queue overhead: measureQueueOverhead from bench/queueOverhead.ts (the same tiny
 *    plan, one after another, on a PlanWorkerPool of one thread in this process and through the
 *    queue to one `cosched worker` of one thread, events listened to as CompareScenarios does;
 *    overhead = queue minus pool at p50 and p95).
 * 2. For each count W in --workers (default 1,2): a fresh `cosched serve --port 0 --queue URL
 *    --queue-name <random>` and W fresh `cosched worker --workers 1` processes on that queue. Once
 *    the server counts W worker threads (a what-if call hands the queue at most that many plans at
 *    once; the server reads the workers' registry every 2 s: this waits until the registry holds W,
 *    then 3 s), one CompareScenarios call
 *    with INSTANCE.json as the base and the 15 variants of `scaleOutVariants` (16 plans), each
 *    plan's solver limit --time-limit (default 120 s), the call's deadline far beyond
 *    (plans × (limit + 60 s) + 300 s). Recorded: the call's wall clock (client side, call start to
 *    its status), each plan's FINISHED event (elapsed ms, solver ms, termination), each plan's
 *    time on its worker (the workers' `plan started` / `plan done` log lines: start time and ms),
 *    each plan's job as BullMQ timed it (a QueueEvents reader here: on each `completed` event the
 *    job's `timestamp` (the server enqueued it), `processedOn` (a worker took it) and `finishedOn`,
 *    and the time the event arrived here, as it arrives at the server; the sizes of the job's data
 *    and result), CPU seconds of the server, the workers and this process, and the
 *    CPU other processes used meanwhile (/proc/stat). Then the workers and the server get SIGTERM
 *    and the queue's keys are removed from Redis.
 *
 * Prints one JSON line (ScaleOutReport) on stdout; progress on stderr. `--cli dist` runs
 * `node bin/cosched.js` (dist/ must be current), `--cli tsx` (the default) runs src/cli/main.ts
 * through tsx as the tests do. The model and the projection (`scaleOutMarkdown`) are computed
 * by the harness from the report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { CoSchedulerServiceClient, WhatIfPhase, type CompareScenariosResponse } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { terminationToJSON } from '../src/generated/cosched/v1/plan_response.js';
import { workerRegistry } from '../src/queue/workerRegistry.js';
import { parseVariantArgument } from '../src/whatif/parseVariantArgument.js';
import { measureQueueOverhead, type QueueOverheadReport } from './queueOverhead.js';
import { machineBusySeconds } from './machineBusySeconds.js';
import { processCpuSeconds } from './processCpuSeconds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The 15 variants of the comparison (`cosched compare --variant` syntax), each changing something
 * the plan depends on: green supply scaled 0.8..1.2 (and one site's by 1.5), GPU capacity scaled,
 * a carbon price (objective = cost + price × tonnes), deadlines moved and windows tightened, and
 * one combination.
 */
export const scaleOutVariants = [
  'green-0.8:green*=0.8',
  'green-0.9:green*=0.9',
  'green-1.1:green*=1.1',
  'green-1.2:green*=1.2',
  'site00-green-1.5:green(site-00)*=1.5',
  'capacity-0.9:capacity*=0.9',
  'capacity-1.1:capacity*=1.1',
  'capacity-1.2:capacity*=1.2',
  'carbon-25:carbonPrice=25',
  'carbon-50:carbonPrice=50',
  'carbon-100:carbonPrice=100',
  'carbon-200:carbonPrice=200',
  'relaxed-12h:deadlines+=12h',
  'tight-0.8:deadlines*=0.8',
  'green-1.2+carbon-100:green*=1.2,carbonPrice=100',
];

/** One plan as its worker ran it (from the worker's log lines). */
export interface WorkerPlan {
  worker: string;
  job: string;
  /** When the worker logged `plan started` and `plan done`, ms after the call started (both clocks are this machine's; log times have ms precision). */
  startAtMs: number;
  doneAtMs: number;
  /** The worker's `plan done` ms: decoding the job, building, solving, checking, sending the events. */
  ms: number;
  termination: string;
}

/** One CompareScenarios call with `workerProcesses` worker processes. */
export interface ScaleOutRun {
  workerProcesses: number;
  threadsPerWorker: number;
  queueName: string;
  /** Client side, from the call's start to its status. */
  wallMs?: number;
  error?: string;
  /** The result's rows: name and termination. */
  rows: Array<{ name: string; termination: string }>;
  /** The FINISHED progress events, in arrival order. */
  finished: Array<{ name: string; index: number; elapsedMs: number; solveMs: number; termination: string }>;
  /** Every plan as its worker ran it, in the order they started. */
  plans: WorkerPlan[];
  /**
   * Every plan's job as BullMQ timed it, ms after the call started: enqueued by the server, taken
   * by a worker, finished, its `completed` event read here (as the server reads it); its data
   * (the Problem) and result (the PlanResult) in bytes of queue JSON.
   */
  jobs: QueueJobTiming[];
  /** CPU seconds during the call: the workers together, the server, this process (the gRPC client). */
  cpu: { workersS?: number; serverS?: number; clientS: number; otherShare?: number };
  /** Peak RSS (MB) of each worker process and the server. */
  workerPeakRssMb: Array<number | undefined>;
  serverPeakRssMb?: number;
}

/** See ScaleOutRun.jobs. */
export interface QueueJobTiming {
  job: string;
  enqueuedAtMs: number;
  takenAtMs: number;
  finishedAtMs: number;
  eventAtMs: number;
  dataBytes: number;
  resultBytes: number;
}

export interface ScaleOutReport {
  /** The base: its benchmark size (bench/generateInstance.ts) when given, its file and dimensions. */
  instance: { size?: string; file: string; sites: number; hours: number; jobs: number };
  variants: string[];
  plans: number;
  timeLimitSeconds: number;
  cores: number;
  cli: 'dist' | 'tsx';
  redis: string;
  overhead?: QueueOverheadReport;
  overheadError?: string;
  runs: ScaleOutRun[];
}

// ---------------------------------------------------------------------------------------------
// Child processes: `cosched serve` and `cosched worker`, in this process's group (the harness
// kills the group when this process ends), stopped on SIGINT / SIGTERM too.

interface CoschedProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  waitFor(matches: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

function startCosched(cliArgs: string[], args: string[], keep: (line: Record<string, unknown>) => boolean): CoschedProcess {
  const child = spawn(process.execPath, [...cliArgs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<{ matches: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text };
    }
    line.receivedAtMs = Date.now();
    for (const waiter of [...waiters]) {
      if (waiter.matches(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
    if (keep(line)) lines.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => running.delete(child));
  return {
    child,
    lines,
    waitFor(matches, timeoutMs) {
      const found = lines.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          matches,
          resolve: (line: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`\`cosched ${args[0]}\` did not log the line awaited within ${timeoutMs / 1000} s; stderr: ${stderr.trim().slice(-500)}`));
        }, timeoutMs);
        void exited.then(() => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`\`cosched ${args[0]}\` exited (code ${child.exitCode}) before logging the line awaited; stderr: ${stderr.trim().slice(-500)}`));
        });
        waiters.add(waiter);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Removes every key of queue `queueName` (BullMQ's and cosched's), as test/helpers/queueWorkers.ts removeQueue does. */
async function removeQueue(url: string, queueName: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  try {
    await queue.obliterate({ force: true });
    const keys = await redis.keys(`cosched:${queueName}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements from /proc (Linux) and the Prometheus endpoint



/** Peak RSS of a live process (VmHWM), MB. */
function peakRssMb(pid: number | undefined): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sumOf = (xs: Array<number | undefined>) => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + (b as number), 0));


// ---------------------------------------------------------------------------------------------
// One run

async function runOnce(options: {
  cli: string[];
  url: string;
  workers: number;
  base: PlanRequest;
  variants: string[];
  timeLimitSeconds: number;
}): Promise<ScaleOutRun> {
  const queueName = `bench-scale-out-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cosched-bench-scale-out-'));
  const run: ScaleOutRun = { workerProcesses: options.workers, threadsPerWorker: 1, queueName, rows: [], finished: [], plans: [], jobs: [], cpu: { clientS: 0 }, workerPeakRssMb: [] };
  const log = (message: string): void => {
    process.stderr.write(`[scale-out] ${options.workers} worker${options.workers > 1 ? 's' : ''}: ${message}\n`);
  };
  let server: CoschedProcess | undefined;
  const workers: CoschedProcess[] = [];
  let client: CoSchedulerServiceClient | undefined;
  const redis = new Redis(options.url, { maxRetriesPerRequest: null });
  // BullMQ does not close a connection it was given: this one is closed below.
  const eventsConnection = new Redis(options.url, { maxRetriesPerRequest: null });
  let events: QueueEvents | undefined;
  const jobReads: Array<Promise<void>> = [];
  try {
    server = startCosched(
      options.cli,
      ['serve', '--port', '0', '--queue', options.url, '--queue-name', queueName, '--data-dir', dataDir, '--log-level', 'info'],
      (line) => line.msg === 'cosched serving' || line.msg === 'call done',
    );
    const serving = await server.waitFor((line) => line.msg === 'cosched serving', 60_000);
    const port = Number(serving.port);
    for (let i = 0; i < options.workers; i++) {
      workers.push(startCosched(options.cli, ['worker', '--queue', options.url, '--queue-name', queueName, '--workers', '1', '--log-level', 'info'], () => true));
    }
    await Promise.all(workers.map((w) => w.waitFor((line) => line.msg === 'cosched worker ready', 60_000)));
    // A what-if call hands the queue at most as many plans at once as the server counts worker
    // threads, and the server reads the workers' registry every 2 s: wait until the registry holds
    // them all, then for the server's next read.
    const countedBy = Date.now() + 30_000;
    for (;;) {
      const threads = (await workerRegistry.alive(redis, queueName)).reduce((sum, w) => sum + w.threads, 0);
      if (threads === options.workers) break;
      if (Date.now() > countedBy) throw new Error(`the registry holds ${threads} worker threads, not ${options.workers}, 30 s after the workers were ready`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Each plan's job as BullMQ timed it, read as soon as it completed (finished jobs are kept a minute).
    events = new QueueEvents(queueName, { connection: eventsConnection });
    await events.waitUntilReady();
    const jobKey = (id: string) => `bull:${queueName}:${id}`;
    let startedEpochMs = Date.now();
    events.on('completed', ({ jobId }) => {
      const eventAtMs = Date.now() - startedEpochMs;
      jobReads.push(
        (async () => {
          const [timestamp, processedOn, finishedOn] = await redis.hmget(jobKey(jobId), 'timestamp', 'processedOn', 'finishedOn');
          const [dataBytes, resultBytes] = await Promise.all([redis.hstrlen(jobKey(jobId), 'data'), redis.hstrlen(jobKey(jobId), 'returnvalue')]);
          run.jobs.push({
            job: jobId,
            enqueuedAtMs: Number(timestamp) - startedEpochMs,
            takenAtMs: Number(processedOn) - startedEpochMs,
            finishedAtMs: Number(finishedOn) - startedEpochMs,
            eventAtMs,
            dataBytes,
            resultBytes,
          });
        })().catch((error: unknown) => log(`could not read job ${jobId}: ${String(error)}`)),
      );
    });
    log(`server on port ${port}, queue ${queueName}, the server counts ${options.workers} worker thread(s): comparing ${options.variants.length + 1} plans`);

    client = new CoSchedulerServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
    const variants = options.variants.map(parseVariantArgument);
    const plans = variants.length + 1;
    const deadlineMs = (plans * (options.timeLimitSeconds + 60) + 300) * 1000;
    const pids = { server: server.child.pid, workers: workers.map((w) => w.child.pid) };
    const cpuBefore = { machine: machineBusySeconds(), server: processCpuSeconds(pids.server), workers: sumOf(pids.workers.map(processCpuSeconds)), client: process.cpuUsage() };
    startedEpochMs = Date.now();
    const startedMs = performance.now();
    const stream = client.compareScenarios({ base: options.base, variants, includePlans: false }, new Metadata(), { deadline: Date.now() + deadlineMs });
    await new Promise<void>((resolve) => {
      stream.on('data', (message: CompareScenariosResponse) => {
        const event = message.event;
        if (event?.$case === 'progress' && event.value.phase === WhatIfPhase.WHAT_IF_PHASE_FINISHED) {
          const p = event.value;
          run.finished.push({ name: p.variantName, index: p.index, elapsedMs: p.elapsedMs, solveMs: p.solveMs, termination: terminationToJSON(p.termination) });
          log(`${p.finished}/${p.total} ${p.variantName}: ${terminationToJSON(p.termination)}, solver ${(p.solveMs / 1000).toFixed(1)} s, at ${(p.elapsedMs / 1000).toFixed(1)} s`);
        } else if (event?.$case === 'result') {
          run.rows = event.value.rows.map((row) => ({ name: row.name, termination: terminationToJSON(row.termination) }));
        }
      });
      stream.on('error', (error: ServiceError) => (run.error = `${error.code} ${error.details}`));
      stream.on('status', () => resolve());
    });
    run.wallMs = performance.now() - startedMs;
    const clientCpu = process.cpuUsage(cpuBefore.client);
    const cpuAfter = { machine: machineBusySeconds(), server: processCpuSeconds(pids.server), workers: sumOf(pids.workers.map(processCpuSeconds)) };
    run.cpu.clientS = (clientCpu.user + clientCpu.system) / 1e6;
    if (cpuBefore.server !== undefined && cpuAfter.server !== undefined) run.cpu.serverS = cpuAfter.server - cpuBefore.server;
    if (cpuBefore.workers !== undefined && cpuAfter.workers !== undefined) run.cpu.workersS = cpuAfter.workers - cpuBefore.workers;
    if (cpuBefore.machine !== undefined && cpuAfter.machine !== undefined && run.cpu.serverS !== undefined && run.cpu.workersS !== undefined) {
      const ours = run.cpu.serverS + run.cpu.workersS + run.cpu.clientS;
      run.cpu.otherShare = Math.max(0, cpuAfter.machine - cpuBefore.machine - ours) / ((run.wallMs / 1000) * cpus().length);
    }
    run.workerPeakRssMb = pids.workers.map(peakRssMb);
    run.serverPeakRssMb = peakRssMb(pids.server);
    log(`${run.error ? `failed: ${run.error}` : 'done'} in ${(run.wallMs / 1000).toFixed(1)} s`);

    // The workers log `plan done` just before they return the result: give the pipes a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all(jobReads);
    run.jobs.sort((a, b) => a.enqueuedAtMs - b.enqueuedAtMs);
    for (const worker of workers) {
      const name = String(worker.lines.find((l) => l.msg === 'cosched worker ready')?.worker ?? worker.child.pid);
      const started = new Map<string, number>();
      for (const line of worker.lines) {
        const at = typeof line.time === 'string' ? Date.parse(line.time) : Number(line.receivedAtMs);
        if (line.msg === 'plan started') started.set(String(line.job), at - startedEpochMs);
        if (line.msg === 'plan done') {
          const job = String(line.job);
          run.plans.push({ worker: name, job, startAtMs: started.get(job) ?? Number.NaN, doneAtMs: at - startedEpochMs, ms: Number(line.ms), termination: String(line.termination) });
        }
      }
    }
    run.plans.sort((a, b) => a.startAtMs - b.startAtMs);
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
    log(`failed: ${run.error}`);
  } finally {
    client?.close();
    await events?.close().catch(() => undefined);
    eventsConnection.disconnect();
    redis.disconnect();
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await removeQueue(options.url, queueName).catch((error: unknown) => log(`could not remove the queue ${queueName}: ${String(error)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// The model, the projection and the Markdown (used by runBenchmark.ts)

/**
 * Makespan of `durationsMs` run in this order on `slots` identical threads, each plan going to
 * the thread that is free first (what the server does: it hands the next plan to the queue as
 * soon as one finishes, and the first idle worker takes it).
 */
export function listScheduleMs(durationsMs: readonly number[], slots: number): number {
  const freeAt = new Array<number>(slots).fill(0);
  for (const d of durationsMs) {
    let first = 0;
    for (let i = 1; i < slots; i++) if (freeAt[i] < freeAt[first]) first = i;
    freeAt[first] += d;
  }
  return Math.max(...freeAt);
}

/** A row of the harness's Targets table. */
export interface ScaleOutTarget {
  text: string;
  measured: string;
  met: boolean | undefined;
}

const s1 = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '—' : (ms / 1000).toFixed(1));
const ms1 = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '—' : ms.toFixed(ms < 100 ? 1 : 0));
const pctText = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(0)}%`;
const quantile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};

/**
 * The most plans the workers ran at the same time: each from its `plan done` time back by its ms;
 * overlaps of up to 5 ms are log-time rounding (a worker takes its next job after the last).
 */
function maxConcurrent(plans: readonly WorkerPlan[]): number {
  const edges = plans.flatMap((p) => [
    { at: p.doneAtMs - p.ms, delta: 1 },
    { at: p.doneAtMs - 5, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.delta));
  return most;
}

/**
 * The model's parts as a run measured them, when it has all of them: the per-plan times on the
 * workers in the order they started (d), the median queue overhead per plan (q: enqueued to its
 * completed event, minus d) and the call's fixed part (c: call start to the first plan enqueued,
 * plus the last completed event to the call's end).
 */
function modelParts(run: ScaleOutRun, plans: number): { times: number[]; overheadMs: number; fixedMs: number } | undefined {
  const times = run.plans.map((p) => p.ms);
  if (run.error !== undefined || run.wallMs === undefined || times.length !== plans || !times.every(Number.isFinite) || run.jobs.length !== plans) return undefined;
  const workerMs = new Map(run.plans.map((p) => [p.job, p.ms]));
  const overheads = run.jobs.flatMap((j) => (workerMs.has(j.job) ? [j.eventAtMs - j.enqueuedAtMs - workerMs.get(j.job)!] : []));
  if (overheads.length !== plans) return undefined;
  const firstEnqueued = Math.min(...run.jobs.map((j) => j.enqueuedAtMs));
  const lastEvent = Math.max(...run.jobs.map((j) => j.eventAtMs));
  return { times, overheadMs: quantile(overheads, 0.5), fixedMs: firstEnqueued + (run.wallMs - lastEvent) };
}

/** The target row of issue 12: queue overhead per tiny plan ≤ 5 ms at p50. */
export function scaleOutTargets(report: ScaleOutReport | undefined, skipped: boolean, error?: string): ScaleOutTarget[] {
  const text = 'queue overhead per tiny plan (queue − in-process, with events) ≤ 5 ms p50';
  if (skipped || report === undefined) return [{ text, measured: skipped ? 'not run (--skip scale-out)' : `failed: ${error ?? 'no report'}`, met: skipped ? undefined : false }];
  const o = report.overhead;
  if (!o) return [{ text, measured: `failed: ${report.overheadError ?? 'not measured'}`, met: false }];
  return [
    {
      text,
      measured: `p50 ${ms1(o.overheadMs.p50)} ms, p95 ${ms1(o.overheadMs.p95)} ms (${o.plans} sequential tiny plans: in process p50 ${ms1(o.pool.p50)} ms, via the queue p50 ${ms1(o.queue.p50)} ms)`,
      met: o.overheadMs.p50 <= 5,
    },
  ];
}

/** The scale-out section of the benchmark's Markdown: measured runs, the model against them, the projection. */
export function scaleOutMarkdown(report: ScaleOutReport): string[] {
  const lines: string[] = [];
  const { plans, cores } = report;
  const q = report.overhead?.overheadMs.p50 ?? 0;
  const { sites, hours, jobs } = report.instance;
  lines.push(`## Scale-out on the queue (issue 12)`, '');
  lines.push(
    `One CompareScenarios call: the ${report.instance.size ?? 'given'} instance (${sites} sites × ${hours} h × ${jobs.toLocaleString('en-US')} jobs) as the base and ${report.variants.length} variants, ${plans} plans, ` +
      `through \`cosched serve --queue\` to W \`cosched worker --workers 1\` processes on this machine (${cores} cores; Redis ${report.redis} on it too; CLI ${report.cli === 'dist' ? '`node bin/cosched.js`' : 'through tsx, as the tests run it (dist/ was not current)'}), ` +
      `each W with a fresh server, fresh workers and a queue of its own; solver limit ${report.timeLimitSeconds} s per plan. One run each. Variants: ${report.variants.map((v) => `\`${v}\``).join(', ')}.`,
  );
  lines.push('');
  lines.push(
    '| worker processes × threads | wall s (measured) | plans optimal | plans at once (max) | per-plan time on the worker s: median (min–max) | sum of per-plan times s | solver only s (median) | queue wait ms (median) | queue overhead per plan ms (median) | job data / result MB | workers\' CPU / (wall × cores) | other processes\' CPU | peak RSS MB (server; each worker) |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const run of report.runs) {
    const times = run.plans.map((p) => p.ms);
    const solver = run.finished.map((f) => f.solveMs);
    const optimal = run.rows.filter((r) => r.termination === 'TERMINATION_OPTIMAL').length;
    const waits = run.jobs.map((j) => j.takenAtMs - j.enqueuedAtMs);
    // Enqueued by the server to its completed event read (as the server reads it), minus the
    // worker's own time: what the queue adds to a week-ahead plan.
    const workerMs = new Map(run.plans.map((p) => [p.job, p.ms]));
    const overheads = run.jobs.flatMap((j) => (workerMs.has(j.job) ? [j.eventAtMs - j.enqueuedAtMs - workerMs.get(j.job)!] : []));
    const mb = (bytes: number[]) => (bytes.length ? (quantile(bytes, 0.5) / 1e6).toFixed(1) : '—');
    const utilisation = run.cpu.workersS !== undefined && run.wallMs ? run.cpu.workersS / ((run.wallMs / 1000) * cores) : undefined;
    lines.push(
      `| ${run.workerProcesses} × ${run.threadsPerWorker} | **${s1(run.wallMs)}**${run.error ? ` (failed: ${run.error})` : ''} | ${optimal} of ${plans} | ${maxConcurrent(run.plans)} | ` +
        `${times.length ? `${s1(quantile(times, 0.5))} (${s1(Math.min(...times))}–${s1(Math.max(...times))})` : '—'} | ${s1(times.reduce((a, b) => a + b, 0))} | ${solver.length ? s1(quantile(solver, 0.5)) : '—'} | ` +
        `${waits.length ? ms1(quantile(waits, 0.5)) : '—'} | ${overheads.length ? ms1(quantile(overheads, 0.5)) : '—'} | ${mb(run.jobs.map((j) => j.dataBytes))} / ${mb(run.jobs.map((j) => j.resultBytes))} | ` +
        `${utilisation === undefined ? '—' : `${(100 * utilisation).toFixed(0)}%`} | ${run.cpu.otherShare === undefined ? '—' : `${(100 * run.cpu.otherShare).toFixed(0)}%`} | ` +
        `${run.serverPeakRssMb === undefined ? '—' : Math.round(run.serverPeakRssMb)}; ${run.workerPeakRssMb.map((x) => (x === undefined ? '—' : Math.round(x))).join(', ')} |`,
    );
  }
  const one = report.runs.find((r) => r.workerProcesses === 1);
  const full = report.runs.find((r) => r.workerProcesses === cores) ?? [...report.runs].sort((a, b) => b.workerProcesses - a.workerProcesses)[0];
  if (one?.wallMs && full?.wallMs && full !== one && !one.error && !full.error) {
    lines.push('');
    lines.push(
      `Speed-up of ${full.workerProcesses} worker processes over 1: ${(one.wallMs / full.wallMs).toFixed(2)}× (at best ${Math.min(full.workerProcesses, cores)}× on ${cores} cores). ` +
        `The per-plan times grow from a median of ${s1(quantile(one.plans.map((p) => p.ms), 0.5))} s with one plan at a time to ${s1(quantile(full.plans.map((p) => p.ms), 0.5))} s with ${full.workerProcesses} at once on the ${cores} cores.`,
    );
  }

  // The model against what was measured.
  lines.push(
    '',
    `**Model**: wall = c + list scheduling of the ${plans} plans, in request order, over P = machines × threads per machine threads (each plan to the thread free first, as the server and the queue hand them out), ` +
      'each plan taking its time on the worker d + the queue overhead per plan q; c = the call\'s fixed part (from its start to the first plan enqueued: receiving the request, applying and validating every variant; and from the last plan\'s result to the answer). ' +
      `c, q (the median over the run's plans of the "queue overhead per plan" above) and the d's are measured. The simplest model leaves out c and takes for q the tiny-plan overhead (p50, ${ms1(q)} ms).`,
    '',
  );
  lines.push('| configuration | c, q and d from | c s | q ms | model s | simplest model s | measured s | model error (simplest) |');
  lines.push('|---|---|---|---|---|---|---|---|');
  const modelRow = (target: ScaleOutRun, source: ScaleOutRun) => {
    const parts = modelParts(source, plans);
    if (!parts || !target.wallMs || target.error) return;
    const slots = target.workerProcesses * target.threadsPerWorker;
    const predicted = parts.fixedMs + listScheduleMs(parts.times.map((t) => t + parts.overheadMs), slots);
    const simplest = listScheduleMs(parts.times.map((t) => t + q), slots);
    lines.push(
      `| ${target.workerProcesses} worker process${target.workerProcesses > 1 ? 'es' : ''} × ${target.threadsPerWorker} thread (P = ${slots}) | the ${source.workerProcesses}-worker run${source === target ? ' (its own)' : ''} | ` +
        `${s1(parts.fixedMs)} | ${ms1(parts.overheadMs)} | ${s1(predicted)} | ${s1(simplest)} | ${s1(target.wallMs)} | ${pctText(predicted / target.wallMs - 1)} (${pctText(simplest / target.wallMs - 1)}) |`,
    );
  };
  for (const run of report.runs) modelRow(run, run);
  if (one && full && one !== full) modelRow(full, one);

  // The projection.
  const parts = full ? modelParts(full, plans) : undefined;
  if (parts && full) {
    const threadsPerMachine = cores;
    const project = (slots: number, times = parts.times) => parts.fixedMs + listScheduleMs(times.map((t) => t + parts.overheadMs), slots);
    const longestFirst = [...parts.times].sort((a, b) => b - a);
    const oneMachine = project(threadsPerMachine);
    lines.push('');
    lines.push(
      `**Projection** for N machines like this one (${cores} cores each, so ${threadsPerMachine} single-thread workers, or one \`--workers ${threadsPerMachine}\`, per machine): the model with c, q and the d's of the ${full.workerProcesses}-worker run (every core busy, as on a full machine); ` +
        'the server and Redis are assumed not to be the bottleneck (here they share the 2 cores with the workers):',
      '',
    );
    lines.push('| machines | threads P | rounds ⌈plans / P⌉ | projected wall s | speed-up over 1 machine | projected wall s, longest plans first |');
    lines.push('|---|---|---|---|---|---|');
    for (const n of [1, 2, 4, 8, 16]) {
      const slots = n * threadsPerMachine;
      const projected = project(slots);
      lines.push(`| ${n} | ${slots} | ${Math.ceil(plans / slots)} | ${s1(projected)} | ${(oneMachine / projected).toFixed(2)}× | ${s1(project(slots, longestFirst))} |`);
    }
    lines.push(
      '',
      `From ${Math.ceil(plans / threadsPerMachine)} machines on, every plan has a thread of its own: the wall is c + the longest plan + q (${s1(parts.fixedMs + Math.max(...parts.times) + parts.overheadMs)} s), and more machines do not shorten one comparison of ${plans} plans (they serve more comparisons at once). ` +
        'On machines with idle cores the plans take the 1-worker run\'s times (shorter); with every core busy, those measured here. ' +
        'The last column hands out the same plans longest first (the server hands them out in request order; a caller can order its variants so).',
    );
  }
  lines.push('');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      workers: { type: 'string' },
      'time-limit': { type: 'string' },
      'overhead-plans': { type: 'string' },
      'overhead-warmup': { type: 'string' },
      cli: { type: 'string' },
      size: { type: 'string' },
    },
  });
  const instanceFile = positionals[0];
  if (!instanceFile) throw new Error('usage: scaleOut.ts INSTANCE.json [--size NAME] [--redis URL] [--workers 1,2] [--time-limit S] [--overhead-plans N] [--overhead-warmup N] [--cli dist|tsx]');
  const url = values.redis ?? process.env.COSCHED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const workerCounts = (values.workers ?? '1,2').split(',').map(Number);
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`--workers '${values.workers}': expected counts >= 1, comma-separated`);
  const timeLimitSeconds = Number(values['time-limit'] ?? 120);
  const cliKind = values.cli === 'dist' ? 'dist' : 'tsx';
  const cli = cliKind === 'dist' ? [join(root, 'bin', 'cosched.js')] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];

  // Without a Redis nothing below can work (and BullMQ's clients would retry for ever): say so at once.
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`no Redis answers at ${url} (${error instanceof Error ? error.message : String(error)}): start one, or pass --redis URL`);
  } finally {
    probe.disconnect();
  }

  const json = JSON.parse(readFileSync(instanceFile, 'utf8')) as { options?: Record<string, unknown> };
  json.options = { ...json.options, timeLimitSeconds };
  const base = PlanRequest.fromJSON(json);
  const report: ScaleOutReport = {
    instance: { size: values.size, file: instanceFile, sites: base.sites.length, hours: base.horizon?.hours ?? 0, jobs: base.jobs.length },
    variants: scaleOutVariants,
    plans: scaleOutVariants.length + 1,
    timeLimitSeconds,
    cores: cpus().length,
    cli: cliKind,
    redis: url.replace(/\/\/[^@/]*@/, '//'),
    runs: [],
  };

  process.stderr.write('[scale-out] queue overhead per tiny plan (bench/queueOverhead.ts)...\n');
  try {
    report.overhead = await measureQueueOverhead({
      url,
      plans: Number(values['overhead-plans'] ?? 200),
      warmup: Number(values['overhead-warmup'] ?? 20),
      events: true,
      cli,
      onWorkerLine: () => undefined,
    });
    const o = report.overhead;
    process.stderr.write(`[scale-out] queue overhead p50 ${o.overheadMs.p50} ms, p95 ${o.overheadMs.p95} ms (in process p50 ${o.pool.p50} ms, via the queue ${o.queue.p50} ms)\n`);
  } catch (error) {
    report.overheadError = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[scale-out] queue overhead failed: ${report.overheadError}\n`);
  }
  for (const workers of workerCounts) report.runs.push(await runOnce({ cli, url, workers, base, variants: scaleOutVariants, timeLimitSeconds }));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// Run as a script (runBenchmark.ts imports the model and the Markdown from here).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((error: unknown) => {
    process.stderr.write(`scaleOut: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
