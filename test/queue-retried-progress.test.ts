import { Worker } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { PlanEvent } from '../solver/plan/PlanCallbacks.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { QueuePlanExecutor } from '../src/queue/QueuePlanExecutor.js';
import { stringifyQueueJson } from '../src/queue/queueJson.js';
import { parseRedisUrl } from '../src/queue/parseRedisUrl.js';
import { redisOptions } from '../src/queue/redisConnection.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { northEastSixHours } from './factories/whatIfRequests.js';
import { removeQueue, testQueueName } from './helpers/queueWorkers.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('retried-progress');

describe('progress events of a retried plan', () => {
  afterAll(() => removeQueue(redisUrl, queueName));

  it("are passed on only from the newest attempt: a replaced attempt's late events are dropped", async () => {
    const problem = preparePlan(northEastSixHours(), { maxCells: 1e6 });
    const result = await planProblem(problem);
    const stage = (n: number): PlanEvent => ({ kind: 'solved', stage: n, termination: 'optimal', solveMs: n }) as unknown as PlanEvent;
    // A stand-in for workers whose attempts overlap: attempt 2 reports, then a late event of attempt 1 arrives.
    const worker = new Worker(
      queueName,
      async (job) => {
        for (const [attempt, n] of [[2, 1], [1, 9], [2, 2]] as const) await job.updateProgress(stringifyQueueJson({ attempt, event: stage(n) }));
        return stringifyQueueJson(result);
      },
      { connection: redisOptions(parseRedisUrl(redisUrl), 'test-retried-progress') },
    );
    const executor = await QueuePlanExecutor.start({ url: redisUrl, queueName });
    try {
      const seen: PlanEvent[] = [];
      const planned = await executor.plan(problem, { onEvent: (event) => seen.push(event) });
      expect(planned.summary.emissionsKg).toBe(result.summary.emissionsKg);
      expect(seen.map((e) => (e as unknown as { stage: number }).stage)).toEqual([1, 2]);
    } finally {
      await executor.close();
      await worker.close();
    }
  });
});
