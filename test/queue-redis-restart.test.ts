import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { startWorkerProcess, testQueueName, type WorkerProcess } from './helpers/queueWorkers.js';
import { QueuePlanExecutor } from '../src/queue/QueuePlanExecutor.js';
import { freePort, startRedisServer, type RedisServerProcess } from './helpers/redisServer.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

// This file's own Redis (no persistence), to stop and start again on the same port.
let redis: RedisServerProcess;
let test: TestServer;
let worker: WorkerProcess;
const queueName = testQueueName('restart');

beforeAll(async () => {
  redis = await startRedisServer();
  [test, worker] = await Promise.all([startTestServer({ queue: redis.url, queueName }), startWorkerProcess({ url: redis.url, queueName, workers: 1 })]);
});

afterAll(async () => {
  await Promise.all([test?.close(), worker?.stop('SIGKILL')]);
  await redis?.stop();
});

describe('Redis restarting under serve --queue and a worker', () => {
  it('fails the call in flight with UNAVAILABLE naming the Redis, refuses calls while it is down, and plans again once it is back, with no restart', async () => {
    const inFlight = callPlan(test.client, competingBlocksMilp({ timeLimitSeconds: 60 }), 60_000).catch((e: unknown) => e);
    await worker.waitForLog((line) => line.msg === 'plan started');
    await redis.stop();
    const stoppedMs = performance.now();

    const lost = (await inFlight) as ServiceError;
    expect(lost.code).toBe(status.UNAVAILABLE);
    expect(lost.details).toContain(`the plan queue at ${redis.url} is unreachable`);
    expect(lost.details).toContain('the connection was lost while the plan was queued or running');
    expect(performance.now() - stoppedMs).toBeLessThan(2_000);

    const refused = (await callPlan(test.client, oneSiteFourHours(), 20_000).catch((e: unknown) => e)) as ServiceError;
    expect(refused.code).toBe(status.UNAVAILABLE);
    expect(refused.details).toMatch(new RegExp(`the plan queue at ${redis.url} is unreachable .*: no connection within`));

    await redis.start();
    const backMs = performance.now();
    const answer = await callPlan(test.client, oneSiteFourHours(), 20_000);
    expect(answer.termination).toBe(Termination.TERMINATION_OPTIMAL);
    // The worker dropped the solve whose job Redis lost: its lock could not be renewed, or, when the
    // server's cancel for the failed call reaches it first once Redis is back, as cancelled (both
    // were seen: which comes first is a race between the lock check and the cancel channel).
    const stopped = new Set(['plan lost its lock (its job is gone, or another worker has it): stopping it', 'plan cancelled by its caller: stopping it']);
    await worker.waitForLog((line) => typeof line.msg === 'string' && stopped.has(line.msg), 5_000);
    console.info(`in flight: ${lost.details}\nwhile down: ${refused.details}`);
    console.info(`Redis restart: the next plan was answered ${Math.round(performance.now() - backMs)} ms after Redis was back`);
  });

  it('a server whose Redis does not answer does not start, and says which address it tried', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(QueuePlanExecutor.start({ url, connectTimeoutMs: 500 })).rejects.toThrow(new RegExp(`cannot reach Redis at ${url} within 0.5 s: .*ECONNREFUSED`));
  });
});
