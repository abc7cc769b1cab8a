import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { repoRoot } from './helpers/runCli.js';
import { runMetadata, standingClients, unary, waitDone, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { openTestStore, type TestStore } from './helpers/testStores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts a slow MILP's jobs and forecasts into the backlog and starts a run that would take a minute. */
async function startSlowRun(clients: StandingClients, request: PlanRequest): Promise<string> {
  await unary(clients.planner, clients.planner.batchCreateJobs, { requests: request.jobs.map((job) => ({ job, requestId: '' })), requestId: '' });
  await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
    requests: request.sites.map((site) => ({ siteForecast: { name: '', site, start: request.horizon!.start, version: 0, createTime: undefined, source: '' }, requestId: '' })),
    requestId: '',
  });
  const operation = await unary(clients.planner, clients.planner.startPlanRun, {
    now: request.horizon!.start,
    horizonHours: 0,
    objective: undefined,
    options: { timeLimitSeconds: 60, mipGap: 1e-9, solver: 0 },
    requestId: '',
  });
  for (let i = 0; i < 100; i++) {
    const current = await unary(clients.operations, clients.operations.getOperation, { name: operation.name });
    if (runMetadata(current).state === PlanRunState.PLAN_RUN_STATE_RUNNING) break;
    await sleep(100);
  }
  return operation.name;
}

describe('plan runs as long-running operations', () => {
  let server: TestServer;
  let clients: StandingClients;
  afterAll(async () => {
    clients?.close();
    await server?.close();
  });

  it('CancelOperation stops a running solve: the run ends CANCELLED with a CANCELLED error, and a done run can be deleted', async () => {
    server = await startTestServer();
    clients = standingClients(server.address);
    const name = await startSlowRun(clients, competingBlocksMilp({ jobs: 30, timeLimitSeconds: 60 }));
    const cancelledAtMs = Date.now();
    await unary(clients.operations, clients.operations.cancelOperation, { name });
    const done = await waitDone(clients, name, 20_000);
    expect(Date.now() - cancelledAtMs).toBeLessThan(5_000);
    expect(done.done).toBe(true);
    expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_CANCELLED);
    expect(done.result?.$case === 'error' && done.result.value.code).toBe(status.CANCELLED);
    // The server is free again: health of the pool is shown by the next run going through.
    const listed = await unary(clients.operations, clients.operations.listOperations, { name: '', filter: 'state = CANCELLED', pageSize: 0, pageToken: '' });
    expect(listed.operations.map((o) => o.name)).toEqual([name]);
    await unary(clients.operations, clients.operations.deleteOperation, { name });
    const gone = await unary(clients.operations, clients.operations.getOperation, { name }).catch((e: { code: number }) => e);
    expect((gone as { code: number }).code).toBe(status.NOT_FOUND);
  });

  it('WaitOperation answers with the latest state when its timeout passes before the run ends', async () => {
    const name = (await unary(clients.planner, clients.planner.startPlanRun, { now: undefined, horizonHours: 0, objective: undefined, options: undefined, requestId: '' })).name;
    const waited = await unary(clients.operations, clients.operations.waitOperation, { name, timeout: { seconds: 0, nanos: 1_000_000 } });
    expect(waited.name).toBe(name);
    const done = await waitDone(clients, name);
    // Nothing open is planned at the server's clock (the backlog's deadlines passed): the run says so.
    expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
  });
});

describe('a replica killed with SIGKILL during a run, on a shared PostgreSQL', () => {
  let testStore: TestStore;
  let child: ChildProcess | undefined;
  let other: TestServer | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await other?.close();
    await testStore?.dispose();
  });

  it('has its run marked FAILED by another replica once the lease expires', async () => {
    testStore = await openTestStore('postgres');
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--workers', '1', '--store', testStore.url, '--run-lease-seconds', '2'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === 'cosched serving') resolve(entry.port as number);
      });
      child!.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const first = standingClients(`127.0.0.1:${port}`);
    const name = await startSlowRun(first, competingBlocksMilp({ jobs: 30, timeLimitSeconds: 60 }));
    first.close();
    other = await startTestServer({ store: testStore.url, runLeaseMs: 2_000 });
    const clients = standingClients(other.address);
    // Served by the other replica while the first one still runs it.
    expect(runMetadata(await unary(clients.operations, clients.operations.getOperation, { name })).state).toBe(PlanRunState.PLAN_RUN_STATE_RUNNING);
    child.kill('SIGKILL');
    const done = await waitDone(clients, name, 15_000);
    clients.close();
    expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_FAILED);
    expect(done.result?.$case === 'error' && done.result.value.message).toMatch(/stopped before it finished/);
  }, 60_000);
});
