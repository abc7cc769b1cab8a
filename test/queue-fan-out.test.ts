import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CompareScenariosResponse, CompareScenariosResult } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanPhase } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import type { VariantMetrics, VariantResult } from '../src/generated/cosched/v1/what_if.js';
import { QueuePlanExecutor, type PlanTiming } from '../src/queue/QueuePlanExecutor.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { compareScenarios } from '../src/whatif/compareScenarios.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { backlogScenario, ts } from './factories/backlogScenario.js';
import { twoSitesSixHoursFullySpecified } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { inThreadPlanner, northEastSixHours, variant } from './factories/whatIfRequests.js';
import { callPlan, watchPlan } from './helpers/grpcCalls.js';
import { removeQueue, startWorkerProcess, testQueueName, until, type WorkerProcess } from './helpers/queueWorkers.js';
import { runMetadata, standingClients, unary, waitDone } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('fan-out');

let queued: TestServer;
let local: TestServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  [queued, local, ...workers] = await Promise.all([
    startTestServer({ queue: redisUrl, queueName }),
    startTestServer({ workers: 1 }),
    startWorkerProcess({ url: redisUrl, queueName }),
    startWorkerProcess({ url: redisUrl, queueName }),
  ]);
  // The server fans out to the threads of the workers alive.
  const executor = queued.server.pool as QueuePlanExecutor;
  // Each worker announced itself before logging that it is ready.
  expect((await executor.queueStats()).workerThreads).toBe(2);
});

afterAll(async () => {
  await Promise.all([queued?.close(), local?.close(), ...workers.map((w) => w.stop())]);
  await removeQueue(redisUrl, queueName);
});

/** The numbers of a row, without the solve times, which differ from run to run. */
function numbers(row: VariantResult) {
  const strip = (metrics: VariantMetrics | undefined) => {
    const { solveMs: _, ...rest } = metrics as VariantMetrics;
    return rest;
  };
  return { name: row.name, termination: row.termination, metrics: strip(row.metrics), differenceToBase: strip(row.differenceToBase) };
}

/** Plans started by each worker so far. */
const startedPerWorker = () => workers.map((w) => w.logs.filter((line) => line.msg === 'plan started').length);

describe('serve --queue with two worker processes', () => {
  it('fans a comparison out to both workers, with the rows of the same comparison planned without the queue', async () => {
    const variants = [
      variant('windy', { $case: 'scaleGreenSupply', value: { siteId: 'north', factor: 3, addMw: 0 } }),
      variant('price100', { $case: 'setCarbonPrice', value: { pricePerTonne: 100 } }),
      variant('price300', { $case: 'setCarbonPrice', value: { pricePerTonne: 300 } }),
      variant('calm', { $case: 'scaleGreenSupply', value: { siteId: 'north', factor: 0, addMw: 0 } }),
      variant('windier', { $case: 'scaleGreenSupply', value: { siteId: 'north', factor: 5, addMw: 0 } }),
    ];
    const before = startedPerWorker();
    const stream: ClientReadableStream<CompareScenariosResponse> = queued.client.compareScenarios({ base: northEastSixHours(), variants, includePlans: false }, new Metadata(), {
      deadline: Date.now() + 30_000,
    });
    const result = await new Promise<CompareScenariosResult>((resolve, reject) => {
      let last: CompareScenariosResult | undefined;
      stream.on('data', (message: CompareScenariosResponse) => {
        if (message.event?.$case === 'result') last = message.event.value;
      });
      stream.on('error', reject);
      stream.on('end', () => (last ? resolve(last) : reject(new Error('no result'))));
    });
    const planned = await compareScenarios(northEastSixHours(), variants, inThreadPlanner);

    expect(result.rows.map(numbers)).toEqual(planned.map(numbers));
    expect(result.rows.map((row) => row.name)).toEqual(['base', 'windy', 'price100', 'price300', 'calm', 'windier']);
    const took = () => startedPerWorker().map((count, i) => count - before[i]);
    await until(() => took().reduce((a, b) => a + b) >= 6);
    expect(took().reduce((a, b) => a + b)).toBe(6);
    expect(took().every((count) => count > 0)).toBe(true);
  });

  it('answers Plan with the same plan as a server planning on its own threads', async () => {
    const [viaQueue, onThreads] = await Promise.all([callPlan(queued.client, twoSitesSixHoursFullySpecified(), 20_000), callPlan(local.client, twoSitesSixHoursFullySpecified(), 20_000)]);
    const { solve: _a, ...queuedPlan } = viaQueue;
    const { solve: _b, ...localPlan } = onThreads;
    expect(queuedPlan).toEqual(localPlan);
  });

  it('streams the same WatchPlan progress phases as a server planning on its own threads', async () => {
    const phases = (progress: Array<{ phase: PlanPhase }>) => progress.map((p) => p.phase).filter((phase) => phase !== PlanPhase.PLAN_PHASE_SOLVER_PROGRESS);
    const [viaQueue, onThreads] = await Promise.all([watchPlan(queued.client, northEastSixHours(), { deadlineMs: 20_000 }), watchPlan(local.client, northEastSixHours(), { deadlineMs: 20_000 })]);

    expect(viaQueue.error).toBeUndefined();
    expect(phases(viaQueue.progress)).toEqual(phases(onThreads.progress));
    expect(phases(viaQueue.progress)).toEqual(expect.arrayContaining([PlanPhase.PLAN_PHASE_VALIDATED, PlanPhase.PLAN_PHASE_MODEL_BUILT, PlanPhase.PLAN_PHASE_SOLVED, PlanPhase.PLAN_PHASE_CHECKED]));
    expect(viaQueue.plan?.termination).toBe(onThreads.plan?.termination);
  });

  it("runs the standing planner's plan runs on the workers", async () => {
    const clients = standingClients(queued.address);
    try {
      const startMs = Date.UTC(2026, 6, 1);
      const scenario = backlogScenario(startMs, 12);
      await unary(clients.planner, clients.planner.batchCreateJobs, { requests: scenario.jobs.map((job) => ({ job, requestId: '' })), requestId: '' });
      await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
        requests: scenario.sites.map((site) => ({ siteForecast: { name: '', site, start: ts(startMs), version: 0, createTime: undefined, source: '' }, requestId: '' })),
        requestId: '',
      });
      const before = startedPerWorker().reduce((a, b) => a + b);
      const operation = await unary(clients.planner, clients.planner.startPlanRun, { now: ts(startMs), horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
      const done = await waitDone(clients, operation.name, 30_000);

      expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
      await until(() => startedPerWorker().reduce((a, b) => a + b) >= before + 1);
      expect(startedPerWorker().reduce((a, b) => a + b)).toBe(before + 1);
    } finally {
      clients.close();
    }
  });

  it('serves two replicas on one queue: each caller gets the answer to its own request', async () => {
    const replica = await startTestServer({ queue: redisUrl, queueName });
    try {
      const requests = [northEastSixHours(), twoSitesSixHoursFullySpecified(), northEastSixHours(), twoSitesSixHoursFullySpecified()];
      const [expected, answers] = await Promise.all([
        Promise.all(requests.map((request) => callPlan(local.client, request, 20_000))),
        Promise.all(requests.map((request, i) => callPlan((i % 2 === 0 ? queued : replica).client, request, 20_000))),
      ]);
      const withoutSolve = ({ solve: _, ...rest }: (typeof answers)[number]) => rest;
      expect(answers.map(withoutSolve)).toEqual(expected.map(withoutSolve));
    } finally {
      await replica.close();
    }
  });

  it("tells a listener each plan's wait for a worker, its solve time and its outcome", async () => {
    const timings: PlanTiming[] = [];
    let cancelledAfterMs = 0;
    const executor = await QueuePlanExecutor.start({ url: redisUrl, queueName, onPlanTimed: (timing) => timings.push(timing) });
    try {
      await executor.plan(preparePlan(northEastSixHours(), { maxCells: 1e6 }));
      const controller = new AbortController();
      const submittedMs = performance.now();
      const cancelled = executor.plan(preparePlan(competingBlocksMilp(), { maxCells: 1e6 }), { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort(new CoschedError('CANCELLED', 'the client cancelled the call'));
      await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED', message: 'the client cancelled the call' });
      cancelledAfterMs = performance.now() - submittedMs;
    } finally {
      await executor.close();
    }
    expect(timings.map((timing) => timing.outcome)).toEqual(['completed', 'cancelled']);
    expect(timings.every((timing) => timing.waitMs > 0 && timing.solveMs > 0)).toBe(true);
    // Its wait and solve cover the 300 ms it lived, less what came before it was enqueued
    // (serialising the problem, the Redis connection: tens of ms on a loaded machine).
    expect(timings[1].waitMs + timings[1].solveMs).toBeGreaterThanOrEqual(200);
    expect(timings[1].waitMs + timings[1].solveMs).toBeLessThanOrEqual(cancelledAfterMs + 1);
  });

  it('counts the queue and the workers alive for metrics', async () => {
    const executor = queued.server.pool as QueuePlanExecutor;
    // The plan cancelled just before may still be ending on its worker.
    let stats = await executor.queueStats();
    for (let i = 0; i < 100 && stats.active > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stats = await executor.queueStats();
    }
    expect(stats).toMatchObject({ waiting: 0, active: 0, workersAlive: 2, workerThreads: 2, plansWaiting: 0, plansRunning: 0 });
    expect(queued.server.pool.size).toBe(2);
    expect(queued.server.pool.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0, starting: 0 });
  });
});
