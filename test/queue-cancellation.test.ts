import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PlanPhase, type WatchPlanResponse } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { toPlanJobData } from '../src/queue/PlanJobData.js';
import { decodeQueueFailure } from '../src/queue/QueueFailure.js';
import { planJobName } from '../src/queue/queueNames.js';
import type { QueuePlanExecutor } from '../src/queue/QueuePlanExecutor.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { removeQueue, startWorkerProcess, testQueueName, until, type WorkerProcess } from './helpers/queueWorkers.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('cancel');

let test: TestServer;
let worker: WorkerProcess;

beforeAll(async () => {
  // One worker with one thread: a plan still solving would hold up the next one.
  [test, worker] = await Promise.all([startTestServer({ queue: redisUrl, queueName, deadlineMarginMs: 2_000 }), startWorkerProcess({ url: redisUrl, queueName, workers: 1 })]);
});

afterAll(async () => {
  await Promise.all([test?.close(), worker?.stop()]);
  await removeQueue(redisUrl, queueName);
});

const started = () => worker.logs.filter((line) => line.msg === 'plan started');

/** Starts WatchPlan on a MILP that would take a minute and resolves once its model is built on the worker, with its job id. */
async function startSlowWatch() {
  const before = started().length;
  const stream = test.client.watchPlan({ request: competingBlocksMilp({ timeLimitSeconds: 60 }) }, new Metadata(), { deadline: Date.now() + 60_000 });
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    stream.on('error', (error: ServiceError) => resolve(error));
    stream.on('end', () => resolve(undefined));
  });
  await new Promise<void>((resolve) =>
    stream.on('data', (message: WatchPlanResponse) => {
      if (message.event?.$case === 'progress' && message.event.value.phase === PlanPhase.PLAN_PHASE_MODEL_BUILT) resolve();
    }),
  );
  await until(() => started().length > before);
  return { stream, ended, job: started()[before].job as string };
}

/**
 * A worker that kept solving the stopped plan would make the next tiny plan wait for its time
 * limit (30-60 s); a free one answers in well under a second, and 5 s leaves room for a loaded
 * CI machine (2.5 s was seen with the full suite running beside it).
 */
const tinyPlanBoundMs = 5_000;

/** Plans a tiny request and resolves with how long it took. */
async function tinyPlanMs(): Promise<number> {
  const startedMs = performance.now();
  await callPlan(test.client, oneSiteFourHours(), 20_000);
  return performance.now() - startedMs;
}

describe('cancellation and deadlines across the queue', () => {
  it('a cancelled call stops its solve on the worker within 2 s, and the worker takes the next plan at once', async () => {
    const { stream, ended, job } = await startSlowWatch();
    const cancelledMs = performance.now();
    stream.cancel();
    expect((await ended)?.code).toBe(status.CANCELLED);

    const stopped = await worker.waitForLog((line) => line.job === job && line.msg === 'plan stopped', 2_000);
    expect(stopped.outcome).toBe('CANCELLED');
    expect(worker.jobLines(job).map((line) => line.msg)).toContain('plan cancelled by its caller: stopping it');
    expect(await tinyPlanMs()).toBeLessThan(tinyPlanBoundMs);
    console.info(`cancel: the worker stopped the solve ${Math.round(performance.now() - cancelledMs)} ms after the client cancelled (including a tiny plan after it)`);
  });

  it('a deadline shorter than the solve gets DEADLINE_EXCEEDED, and the worker stops the solve', async () => {
    const before = started().length;
    const startedMs = performance.now();
    const error = (await callPlan(test.client, competingBlocksMilp(), 600).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(performance.now() - startedMs).toBeLessThan(1_600);
    await until(() => started().length > before);
    const job = started()[before].job as string;
    await expect(worker.waitForLog((line) => line.job === job && line.msg === 'plan stopped', 2_000)).resolves.toMatchObject({ outcome: 'CANCELLED' });
    expect(await tinyPlanMs()).toBeLessThan(tinyPlanBoundMs);
  });

  it('a plan whose deadline passes while it waits for a worker is never started', async () => {
    const slow = await startSlowWatch();
    const before = started().length;
    const error = (await callPlan(test.client, oneSiteFourHours(), 800).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    slow.stream.cancel();
    await slow.ended;
    // The worker is free: a new plan runs at once, and the expired one was removed from the queue.
    expect(await tinyPlanMs()).toBeLessThan(tinyPlanBoundMs);
    await until(() => started().length >= before + 1);
    expect(started().length).toBe(before + 1);
    expect(await (test.server.pool as QueuePlanExecutor).queueStats()).toMatchObject({ waiting: 0, active: 0 });
  });

  it('a worker refuses a job whose deadline has passed (a server that died cannot cancel it): DEADLINE_EXCEEDED, not started', async () => {
    const queue = new Queue(queueName, { connection: { url: redisUrl } });
    try {
      const data = toPlanJobData(preparePlan(oneSiteFourHours(), { maxCells: 1e6 }), { deadline: { deadlineMs: Date.now() - 1, marginMs: 0 } });
      const job = await queue.add(planJobName, data, { attempts: 3 });
      await worker.waitForLog((line) => line.job === job.id && line.msg === 'plan stopped', 10_000);
      let failed = await queue.getJob(job.id!);
      for (let i = 0; i < 100 && !failed?.finishedOn; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        failed = await queue.getJob(job.id!);
      }
      expect(decodeQueueFailure(failed?.failedReason)).toMatchObject({ code: 'DEADLINE_EXCEEDED', message: expect.stringContaining('was not started') });
      expect(failed?.attemptsMade).toBe(1);
      expect(worker.jobLines(job.id!).map((line) => line.msg)).toEqual(['plan stopped']);
    } finally {
      await queue.close();
    }
  });
});
