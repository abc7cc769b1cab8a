import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Termination, type PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { testPlanWorkerModuleVariable } from '../src/cli/runWorker.js';
import { job, oneSiteFourHours, request, site } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { removeQueue, startWorkerProcess, testQueueName, until, type WorkerProcess } from './helpers/queueWorkers.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('faults');
// Every worker of this file plans with the poison fixture: the real planWorker, except for a job named poison-pill.
const env = { [testPlanWorkerModuleVariable]: 'test/fixtures/poisonPlanWorker.js' };
const startWorker = (args: string[] = []) => startWorkerProcess({ url: redisUrl, queueName, workers: 1, env, args });

let test: TestServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const [server, ...started] = await Promise.all([startTestServer({ queue: redisUrl, queueName }), startWorker(), startWorker()]);
  test = server;
  workers.push(...started);
  everyWorker.push(...started);
});

afterAll(async () => {
  await Promise.all([test?.close(), ...everyWorker.map((w) => w.stop('SIGKILL'))]);
  await removeQueue(redisUrl, queueName);
});

/** The 'plan started' lines of every worker (of this test file, killed ones too), in time order, with the worker that logged each. */
const everyWorker: WorkerProcess[] = [];
const startedLines = () =>
  everyWorker
    .flatMap((worker) => worker.logs.filter((line) => line.msg === 'plan started').map((line) => ({ worker, job: line.job as string, attempt: line.attempt, time: String(line.time) })))
    .sort((a, b) => a.time.localeCompare(b.time));

/** Waits until some worker starts a plan that no worker had started before. */
async function nextStart(known: number): Promise<{ worker: WorkerProcess; job: string }> {
  await Promise.race(workers.filter((w) => !w.exited()).map((w) => w.waitForLog((line) => line.msg === 'plan started' && startedLines().length > known, 20_000)));
  return startedLines()[known];
}

/** A plan that takes about `seconds` to solve (a MILP stopped by its time limit with a feasible plan). */
const slowPlan = (seconds: number) => competingBlocksMilp({ jobs: 30, timeLimitSeconds: seconds });

function expectCheckedPlan(response: PlanResponse): void {
  expect([Termination.TERMINATION_OPTIMAL, Termination.TERMINATION_TIME_LIMIT_FEASIBLE]).toContain(response.termination);
  expect(response.check?.passed).toBe(true);
  expect(response.jobs.length).toBe(30);
}

describe('worker faults', () => {
  it('a request that crashes its worker thread every time ends with INTERNAL after 3 attempts, and the workers go on', async () => {
    const poison = request(4, [site('a', [0, 2, 2, 0], [500, 100, 100, 500])], [job('poison-pill', 'a')]);
    const known = startedLines().length;
    const error = (await callPlan(test.client, poison, 20_000).catch((e: unknown) => e)) as ServiceError;

    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toMatch(/plan worker .*while planning.*attempt 3 of 3: every attempt failed; the plan is not tried again/);
    await until(() => startedLines().length >= known + 3);
    const attempts = startedLines().slice(known);
    expect(attempts.map((line) => line.attempt)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((line) => line.job)).size).toBe(1);
    await expect(callPlan(test.client, oneSiteFourHours(), 20_000)).resolves.toMatchObject({ termination: Termination.TERMINATION_OPTIMAL });
  });

  it('kill -9 of the worker solving a plan: the plan is solved again on the other worker and the caller gets its answer', async () => {
    const known = startedLines().length;
    const startedMs = performance.now();
    const answer = callPlan(test.client, slowPlan(3), 60_000);
    const first = await nextStart(known);
    await new Promise((resolve) => setTimeout(resolve, 700));
    first.worker.child.kill('SIGKILL');
    const killedMs = performance.now();

    const response = await answer;
    expectCheckedPlan(response);
    const runs = startedLines().filter((line) => line.job === first.job);
    expect(runs.map((line) => line.worker.id)).toEqual([first.worker.id, workers.find((w) => w !== first.worker)!.id]);
    console.info(`kill -9: answered ${Math.round(performance.now() - killedMs)} ms after the kill (${Math.round(performance.now() - startedMs)} ms in all)`);
  });

  it('SIGTERM gives the running plan back to the queue, another worker finishes it, and the stopped worker exits 0', async () => {
    workers.splice(0, workers.length, ...workers.filter((w) => !w.exited()), await startWorker(['--shutdown-grace-seconds', '0']));
    everyWorker.push(workers.at(-1)!);
    const leaving = workers.at(-1)!;
    const known = startedLines().length;
    // Two slow plans, one on each worker.
    const answers = [callPlan(test.client, slowPlan(2), 60_000), callPlan(test.client, slowPlan(2), 60_000)];
    await nextStart(known);
    await nextStart(known + 1);
    const given = startedLines().slice(known).find((line) => line.worker === leaving)!;

    expect(await leaving.stop('SIGTERM')).toBe(0);
    expect(leaving.jobLines(given.job).map((line) => line.msg)).toEqual(['plan started', 'plan given back to the queue: this worker is stopping']);
    for (const response of await Promise.all(answers)) expectCheckedPlan(response);
    expect(startedLines().filter((line) => line.job === given.job).map((line) => line.worker.id)).toEqual([leaving.id, workers[0].id]);
  });
});
