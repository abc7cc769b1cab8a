import { afterAll, describe, expect, inject, it } from 'vitest';
import { PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { backlogScenario, ts } from './factories/backlogScenario.js';
import { removeQueue, startWorkerProcess, testQueueName, type WorkerProcess } from './helpers/queueWorkers.js';
import { runMetadata, runResponse, standingClients, unary, waitDone } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { openTestStore, type TestStore } from './helpers/testStores.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('replicas');
const t0 = Date.UTC(2026, 2, 2, 0);

describe('two server replicas sharing a queue and a PostgreSQL store', () => {
  let store: TestStore;
  const servers: TestServer[] = [];
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    if (worker && !worker.exited()) await worker.stop('SIGTERM');
    for (const s of servers) await s.close();
    await store?.dispose();
    await removeQueue(redisUrl, queueName);
  });

  it('answer Get, List and Wait for a plan run started on the other; the run is planned by a queue worker once', async () => {
    store = await openTestStore('postgres');
    worker = await startWorkerProcess({ url: redisUrl, queueName, args: ['--lock-duration-ms', '5000'] });
    const a = await startTestServer({ store: store.url, queue: redisUrl, queueName });
    const b = await startTestServer({ store: store.url, queue: redisUrl, queueName });
    servers.push(a, b);
    const onA = standingClients(a.address);
    const onB = standingClients(b.address);
    const scenario = backlogScenario(t0, 12);
    await unary(onA.planner, onA.planner.batchCreateJobs, { requests: scenario.jobs.map((job) => ({ job, requestId: '' })), requestId: '' });
    await unary(onB.planner, onB.planner.batchCreateSiteForecasts, {
      requests: scenario.sites.map((site) => ({ siteForecast: { name: '', site, start: ts(t0), version: 0, createTime: undefined, source: '' }, requestId: '' })),
      requestId: '',
    });
    const started = await unary(onA.planner, onA.planner.startPlanRun, { now: ts(t0), horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
    const done = await waitDone(onB, started.name);
    expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    expect(runResponse(done).check?.passed).toBe(true);
    const listed = await unary(onB.operations, onB.operations.listOperations, { name: '', filter: 'state = SUCCEEDED', pageSize: 0, pageToken: '' });
    expect(listed.operations.map((o) => o.name)).toEqual([started.name]);
    expect((await unary(onB.operations, onB.operations.getOperation, { name: started.name })).done).toBe(true);
    // Planned once, by the queue's worker.
    expect(worker.logs.filter((line) => line.msg === 'plan started')).toHaveLength(1);
    onA.close();
    onB.close();
  }, 60_000);
});
