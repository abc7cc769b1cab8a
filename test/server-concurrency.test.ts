import { Metadata, status, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { latenciesUnderLoadMs } from './helpers/measureLatency.js';
import { checkHealth, healthClient } from './helpers/standardClients.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

describe('more concurrent plans than workers', () => {
  const workers = 2;
  const plans = 5;
  let bundled: PlanRequest;
  let local: PlanResponse;
  let test: TestServer;

  beforeAll(async () => {
    bundled = await readPlanRequestFile('scenarios/two-hubs-48h.yaml');
    const problem = validatePlanRequest(bundled);
    [local, test] = await Promise.all([planProblem(problem).then((result) => toPlanResponse(problem, result)), startTestServer({ workers, maxQueuedPlans: 8 })]);
  });
  afterAll(() => test?.close());

  it('are all answered correctly, queued on the pool, while health answers within 100 ms', async () => {
    const health = healthClient(test.address);
    try {
      // Connect first: the latency measured below is the server's, not connection setup.
      await checkHealth(health, '');
      const answers = Promise.all(Array.from({ length: plans }, () => callPlan(test.client, bundled)));
      // Every worker busy, the rest queued: now measure health.
      await expect.poll(() => test.server.pool.stats(), { timeout: 10_000, interval: 5 }).toMatchObject({ busy: workers, queued: plans - workers });
      const healthMs = await latenciesUnderLoadMs(
        async () => {
          expect(await checkHealth(health, 'cosched.v1.CoSchedulerService')).toBe('SERVING');
          expect(test.server.pool.stats().busy).toBe(workers);
        },
        8,
        100,
        `health while ${workers} workers plan ${plans} plans`,
      );

      const responses = await answers;
      expect(Math.max(...healthMs)).toBeLessThan(100);
      for (const response of responses) {
        expect(response.summary).toEqual(local.summary);
        expect(response.jobs).toEqual(local.jobs);
      }
      expect(test.server.pool.stats()).toMatchObject({ busy: 0, queued: 0, idle: workers });
    } finally {
      health.close();
    }
  });
});

describe('a full queue', () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ workers: 1, maxQueuedPlans: 1 });
  });
  afterAll(() => test?.close());

  it('refuses one plan more with RESOURCE_EXHAUSTED naming the limit; a queued plan whose client leaves leaves the queue', async () => {
    const calls: ClientUnaryCall[] = [];
    const start = () =>
      new Promise<ServiceError | null>((resolve) => {
        calls.push(test.client.plan(competingBlocksMilp(), new Metadata(), {}, (error) => resolve(error)));
      });
    const running = start();
    await expect.poll(() => test.server.pool.stats().busy).toBe(1);
    const queued = start();
    await expect.poll(() => test.server.pool.stats().queued).toBe(1);

    const refused = (await callPlan(test.client, competingBlocksMilp()).catch((e: unknown) => e)) as ServiceError;

    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain('the plan queue is full');
    const details = decodeStatusDetails(refused.metadata);
    expect(details.quotaFailure?.violations[0]).toMatchObject({ subject: 'max_queued_plans', description: expect.stringContaining('at most 1') });
    expect(details.errorInfo).toMatchObject({ reason: 'PLAN_QUEUE_FULL', domain: 'cosched.dev' });

    calls[1].cancel();
    expect((await queued)?.code).toBe(status.CANCELLED);
    await expect.poll(() => test.server.pool.stats()).toMatchObject({ queued: 0, busy: 1 });
    calls[0].cancel();
    expect((await running)?.code).toBe(status.CANCELLED);
    await expect.poll(() => test.server.pool.stats().busy).toBe(0);
  });
});
